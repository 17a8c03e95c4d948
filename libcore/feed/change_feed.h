// ChangeFeed: committed changes, pushed to subscribers and kept for pulls.
//
// Push: subscribers receive events on one engine-owned thread, in LSN order,
// never while an engine lock is held; an event is delivered only once its
// record is "deliverable" (durable in sync mode, applied otherwise).
// unsubscribe() waits until a callback of that subscriber running on the
// delivery thread returns (unless called from that callback).
//
// Pull: the last `retention` events (also those replayed from the log at
// open) stay in a ring; changes_since() returns what follows an LSN, or
// throws when that LSN is older than what the ring still holds.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "write/write_batch.h"

namespace kiln {

struct ChangeEvent {
  uint64_t lsn = 0;
  std::string collection;
  std::string key;                // "*" when the collection was dropped
  std::optional<uint64_t> new_v;  // empty for deletes and drops
};

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  virtual void on_change(const ChangeEvent& event) = 0;
};

class ChangeFeed {
 public:
  explicit ChangeFeed(size_t retention);
  ~ChangeFeed();  // stops the thread (pending events are still delivered)

  // Events of `batch` at `lsn`. Callers publish in LSN order.
  void publish(uint64_t lsn, const WriteBatch& batch);
  // Records up to `lsn` may be delivered.
  void set_deliverable(uint64_t lsn);
  // The ring starts after `lsn` (what a snapshot covers at open).
  void set_floor(uint64_t lsn);

  // collection empty = every collection. Returns the id for unsubscribe.
  uint64_t subscribe(std::string collection, std::shared_ptr<Subscriber> subscriber);
  void unsubscribe(uint64_t id);
  // Delivers what is deliverable and stops the thread.
  void stop();

  // Events with LSN > since (at most `limit`). Throws kInvalidArgument when
  // events after `since` are no longer retained. *last_lsn gets the LSN the
  // answer is complete up to.
  std::vector<ChangeEvent> changes_since(uint64_t since, size_t limit, uint64_t* complete_to) const;
  uint64_t oldest_retained_lsn() const;  // events after (this - 1) are all available

 private:
  void run();
  void wake_if_deliverable_locked();

  const size_t retention_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<ChangeEvent> ring_;        // retained events, LSN order
  uint64_t floor_lsn_ = 0;              // every event with LSN > floor is in ring_ or was published after
  uint64_t published_lsn_ = 0;
  std::deque<ChangeEvent> outbox_;      // waiting for delivery
  uint64_t deliverable_lsn_ = 0;
  std::map<uint64_t, std::pair<std::string, std::shared_ptr<Subscriber>>> subscribers_;
  uint64_t next_id_ = 1;
  bool busy_ = false;                   // the delivery thread holds subscribers
  bool stop_ = false;
  std::thread::id thread_id_;
  std::thread thread_;
};

}  // namespace kiln
