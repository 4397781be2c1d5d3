// ThreadSanitizer annotations for Debian's absl::Mutex and absl::CondVar.
//
// Debian's Abseil is not built with ThreadSanitizer, so absl::Mutex (its own
// atomics and futexes) is invisible to it, and every piece of state our code
// guards with an absl::Mutex (and every hand-off inside gRPC, which locks
// absl::Mutex too) would be reported as a data race. Linked into the
// executable under --config=tsan, these definitions interpose the library's
// lock and unlock entry points, call the real ones (dlsym RTLD_NEXT) and tell
// ThreadSanitizer what they do: an unlock releases, a lock acquires, a wait
// releases and then acquires. The order that the mutex guarantees becomes
// happens-before, and only real races are left.

#if defined(__SANITIZE_THREAD__)

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace {

template <typename Fn>
Fn Real(const char* symbol) {
  void* f = dlsym(RTLD_NEXT, symbol);
  if (f == nullptr) {
    std::fprintf(stderr, "tsan annotations: %s not found\n", symbol);
    std::abort();
  }
  return reinterpret_cast<Fn>(f);
}

}  // namespace

// Each wrapper is declared under the mangled name of the member function it
// replaces (the Itanium ABI passes `this` as the first argument).
#define ENTENTE_WRAP(ret, name, symbol, params, args, before, after)       \
  extern "C" ret name params __asm__(symbol);                              \
  extern "C" ret name params {                                             \
    using Fn = ret(*) params;                                              \
    static Fn real = Real<Fn>(symbol);                                     \
    before;                                                                \
    ret r = real args;                                                     \
    after;                                                                 \
    return r;                                                              \
  }
#define ENTENTE_WRAP_VOID(name, symbol, params, args, before, after) \
  extern "C" void name params __asm__(symbol);                       \
  extern "C" void name params {                                      \
    using Fn = void(*) params;                                       \
    static Fn real = Real<Fn>(symbol);                               \
    before;                                                          \
    real args;                                                       \
    after;                                                           \
  }

using absl::Condition;
using absl::Duration;
using absl::Mutex;
using absl::Time;

ENTENTE_WRAP_VOID(EntenteMutexLock, "_ZN4absl7debian35Mutex4LockEv", (Mutex * mu), (mu), ,
                  __tsan_acquire(mu))
ENTENTE_WRAP_VOID(EntenteMutexReaderLock, "_ZN4absl7debian35Mutex10ReaderLockEv", (Mutex * mu),
                  (mu), , __tsan_acquire(mu))
ENTENTE_WRAP_VOID(EntenteMutexUnlock, "_ZN4absl7debian35Mutex6UnlockEv", (Mutex * mu), (mu),
                  __tsan_release(mu), )
ENTENTE_WRAP_VOID(EntenteMutexReaderUnlock, "_ZN4absl7debian35Mutex12ReaderUnlockEv",
                  (Mutex * mu), (mu), __tsan_release(mu), )
ENTENTE_WRAP(bool, EntenteMutexTryLock, "_ZN4absl7debian35Mutex7TryLockEv", (Mutex * mu), (mu), ,
             if (r) __tsan_acquire(mu))
ENTENTE_WRAP(bool, EntenteMutexReaderTryLock, "_ZN4absl7debian35Mutex13ReaderTryLockEv",
             (Mutex * mu), (mu), , if (r) __tsan_acquire(mu))
ENTENTE_WRAP_VOID(EntenteMutexLockWhen, "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE",
                  (Mutex * mu, const Condition& c), (mu, c), , __tsan_acquire(mu))
ENTENTE_WRAP_VOID(EntenteMutexReaderLockWhen,
                  "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE",
                  (Mutex * mu, const Condition& c), (mu, c), , __tsan_acquire(mu))
ENTENTE_WRAP(bool, EntenteMutexLockWhenWithTimeout,
             "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE",
             (Mutex * mu, const Condition& c, Duration d), (mu, c, d), , __tsan_acquire(mu))
ENTENTE_WRAP(bool, EntenteMutexReaderLockWhenWithTimeout,
             "_ZN4absl7debian35Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE",
             (Mutex * mu, const Condition& c, Duration d), (mu, c, d), , __tsan_acquire(mu))
ENTENTE_WRAP(bool, EntenteMutexLockWhenWithDeadline,
             "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE",
             (Mutex * mu, const Condition& c, Time t), (mu, c, t), , __tsan_acquire(mu))
ENTENTE_WRAP(bool, EntenteMutexReaderLockWhenWithDeadline,
             "_ZN4absl7debian35Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE",
             (Mutex * mu, const Condition& c, Time t), (mu, c, t), , __tsan_acquire(mu))
ENTENTE_WRAP_VOID(EntenteMutexAwait, "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE",
                  (Mutex * mu, const Condition& c), (mu, c), __tsan_release(mu),
                  __tsan_acquire(mu))
ENTENTE_WRAP(bool, EntenteMutexAwaitWithTimeout,
             "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE",
             (Mutex * mu, const Condition& c, Duration d), (mu, c, d), __tsan_release(mu),
             __tsan_acquire(mu))
ENTENTE_WRAP(bool, EntenteMutexAwaitWithDeadline,
             "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE",
             (Mutex * mu, const Condition& c, Time t), (mu, c, t), __tsan_release(mu),
             __tsan_acquire(mu))
ENTENTE_WRAP_VOID(EntenteCondVarWait, "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE",
                  (absl::CondVar * cv, Mutex* mu), (cv, mu), __tsan_release(mu),
                  __tsan_acquire(mu))
ENTENTE_WRAP(bool, EntenteCondVarWaitWithTimeout,
             "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE",
             (absl::CondVar * cv, Mutex* mu, Duration d), (cv, mu, d), __tsan_release(mu),
             __tsan_acquire(mu))
ENTENTE_WRAP(bool, EntenteCondVarWaitWithDeadline,
             "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE",
             (absl::CondVar * cv, Mutex* mu, Time t), (cv, mu, t), __tsan_release(mu),
             __tsan_acquire(mu))

#endif  // defined(__SANITIZE_THREAD__)
