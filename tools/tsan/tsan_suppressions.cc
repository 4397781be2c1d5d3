// ThreadSanitizer suppressions for --config=tsan.
//
// absl_mutex_annotations.cc makes absl::Mutex visible to ThreadSanitizer;
// what is left are races inside Debian's uninstrumented libraries, seen
// where they call intercepted functions (epoll, file descriptors) or run
// their own spin locks (Abseil's deadlock-detection graph). A `race:`
// suppression matches any frame of either stack, so none names a library our
// code is called from (gRPC) or calls with shared data (protobuf, RE2).

#if defined(__SANITIZE_THREAD__)
extern "C" const char* __tsan_default_suppressions() {
  return
      // Abseil's own spin locks and deadlock-detection graph, and the
      // random pool they guard (gRPC draws from it on every call; its
      // entries are filled under a spin lock inlined in the library).
      "race:libabsl_graphcycles_internal.so\n"
      "race:libabsl_spinlock_wait.so\n"
      "race:libabsl_random_internal_pool_urbg.so\n"
      // File descriptors and epoll inside gRPC's event engine. Only the
      // calls gRPC itself makes to intercepted functions: a `race:` on the
      // library would hide every race in our handlers, whose stacks all
      // start in gRPC's threads.
      "called_from_lib:libgrpc.so\n"
      "called_from_lib:libgpr.so\n";
}
#endif  // defined(__SANITIZE_THREAD__)
