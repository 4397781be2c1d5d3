// ThreadSanitizer suppressions for --config=tsan.
//
// absl_mutex_annotations.cc makes absl::Mutex visible to ThreadSanitizer;
// what is left are races inside Debian's uninstrumented libraries, seen
// where they call intercepted functions (epoll, file descriptors) or run
// their own spin locks (Abseil's deadlock-detection graph). Nothing of ours
// is suppressed: a report with our code in both stacks still fails the test.

#if defined(__SANITIZE_THREAD__)
extern "C" const char* __tsan_default_suppressions() {
  return
      // Abseil's internals (spin locks, the deadlock-detection graph).
      "race:libabsl_\n"
      // gRPC's event engine and completion queues.
      "race:libgrpc.so\n"
      "race:libgrpc++.so\n"
      "race:libgpr.so\n"
      "called_from_lib:libgrpc.so\n"
      "called_from_lib:libgpr.so\n"
      // Protobuf's and RE2's lazily built caches.
      "race:libprotobuf.so\n"
      "race:libre2.so\n";
}
#endif  // defined(__SANITIZE_THREAD__)
