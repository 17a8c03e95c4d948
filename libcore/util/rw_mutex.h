// RwMutex: a reader/writer lock that does not starve writers. glibc's
// pthread_rwlock (behind std::shared_mutex) prefers readers, so a steady
// stream of reads could hold a commit off indefinitely; absl::Mutex lets a
// waiting writer in. Usable with std::shared_lock and std::unique_lock.
#pragma once

#include <absl/synchronization/mutex.h>

namespace kiln {

class RwMutex {
 public:
  void lock() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Lock(); }
  void unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.Unlock(); }
  void lock_shared() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.ReaderLock(); }
  void unlock_shared() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.ReaderUnlock(); }

 private:
  absl::Mutex mu_;
};

}  // namespace kiln
