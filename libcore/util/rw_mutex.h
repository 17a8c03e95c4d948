// RwMutex: a reader/writer lock that does not starve writers. glibc's default
// rwlock (behind std::shared_mutex) prefers readers, so a steady stream of
// reads could hold a commit off indefinitely. On glibc we ask for writer
// preference; elsewhere (Apple, whose rwlock already lets writers in) the
// standard lock is used. Usable with std::shared_lock and std::unique_lock.
#pragma once

#if defined(__GLIBC__)
#include <pthread.h>
#else
#include <shared_mutex>
#endif

namespace kiln {

#if defined(__GLIBC__)

class RwMutex {
 public:
  RwMutex() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lock_, &attr);
    pthread_rwlockattr_destroy(&attr);
  }
  ~RwMutex() { pthread_rwlock_destroy(&lock_); }
  RwMutex(const RwMutex&) = delete;
  RwMutex& operator=(const RwMutex&) = delete;

  void lock() { pthread_rwlock_wrlock(&lock_); }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

#else

using RwMutex = std::shared_mutex;

#endif

}  // namespace kiln
