#include "util/parallel.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <vector>

namespace kiln {
namespace {

// One run_with_helpers call, on its caller's stack. A ticket in the pool's
// queue points to it; the caller withdraws the tickets nobody took before it
// returns, and waits for the helpers that did take one.
struct Call {
  explicit Call(const std::function<void()>& w) : work(&w) {}
  const std::function<void()>* work;
  size_t running = 0;        // helpers inside work() (pool mutex)
  std::exception_ptr error;  // the first one thrown (pool mutex)
  std::condition_variable done;
};

class Pool {
 public:
  Pool() {
    size_t cores = std::max<size_t>(1, std::thread::hardware_concurrency());
    for (size_t i = 1; i < cores; ++i) std::thread([this] { serve(); }).detach();
    threads_ = cores - 1;
  }

  void run(size_t helpers, const std::function<void()>& work) {
    Call call(work);
    helpers = std::min(helpers, threads_);
    {
      std::lock_guard lock(mu_);
      for (size_t i = 0; i < helpers; ++i) queue_.push_back(&call);
    }
    for (size_t i = 0; i < helpers; ++i) wake_.notify_one();
    std::exception_ptr mine;
    try {
      work();
    } catch (...) {
      mine = std::current_exception();
    }
    std::unique_lock lock(mu_);
    std::erase(queue_, &call);
    call.done.wait(lock, [&] { return call.running == 0; });
    if (mine) std::rethrow_exception(mine);
    if (call.error) std::rethrow_exception(call.error);
  }

 private:
  void serve() {
    std::unique_lock lock(mu_);
    while (true) {
      wake_.wait(lock, [&] { return !queue_.empty(); });
      Call* call = queue_.front();
      queue_.pop_front();
      call->running++;
      lock.unlock();
      std::exception_ptr error;
      try {
        (*call->work)();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      if (error && !call->error) call->error = error;
      if (--call->running == 0) call->done.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Call*> queue_;  // one entry per helper a call asked for
  size_t threads_ = 0;
};

}  // namespace

void run_with_helpers(size_t helpers, const std::function<void()>& work) {
  // Never destroyed: its threads wait for work until the process ends.
  static Pool* pool = new Pool;
  if (helpers == 0) {
    work();
    return;
  }
  pool->run(helpers, work);
}

}  // namespace kiln
