#include "feed/change_feed.h"

#include "request/metadata.h"
#include "util/error.h"

namespace kiln {

ChangeFeed::ChangeFeed(size_t retention) : retention_(retention) {
  thread_ = std::thread([this] { run(); });
  std::lock_guard lock(mu_);
  thread_id_ = thread_.get_id();
}

ChangeFeed::~ChangeFeed() { stop(); }

void ChangeFeed::publish(uint64_t lsn, const WriteBatch& batch) {
  std::vector<ChangeEvent> events;
  events.reserve(batch.mutations.size());
  for (const Mutation& m : batch.mutations) {
    ChangeEvent e;
    e.lsn = lsn;
    e.collection = m.collection;
    switch (m.kind) {
      case Mutation::Kind::kPut:
        e.key = std::string(m.record->key());
        e.new_v = m.new_v ? *m.new_v : meta::stored_version(m.record->value());
        break;
      case Mutation::Kind::kDelete: e.key = m.key; break;
      case Mutation::Kind::kDrop: e.key = "*"; break;
      default: continue;  // definitions (index, schema) are not document changes
    }
    events.push_back(std::move(e));
  }
  std::lock_guard lock(mu_);
  published_lsn_ = lsn;
  for (ChangeEvent& e : events) {
    if (!subscribers_.empty()) outbox_.push_back(e);
    ring_.push_back(std::move(e));
  }
  while (ring_.size() > retention_) {
    floor_lsn_ = ring_.front().lsn;  // events at this LSN may now be incomplete
    while (!ring_.empty() && ring_.front().lsn == floor_lsn_) ring_.pop_front();
  }
  wake_if_deliverable_locked();
}

void ChangeFeed::set_deliverable(uint64_t lsn) {
  std::lock_guard lock(mu_);
  if (lsn > deliverable_lsn_) deliverable_lsn_ = lsn;
  wake_if_deliverable_locked();
}

void ChangeFeed::wake_if_deliverable_locked() {
  // Only when the delivery thread has work: waking it on every commit (most
  // have no subscriber) costs writers two context switches per write.
  if (!outbox_.empty() && outbox_.front().lsn <= deliverable_lsn_) cv_.notify_one();
}

void ChangeFeed::set_floor(uint64_t lsn) {
  std::lock_guard lock(mu_);
  floor_lsn_ = lsn;
  published_lsn_ = std::max(published_lsn_, lsn);
}

uint64_t ChangeFeed::subscribe(std::string collection, std::shared_ptr<Subscriber> subscriber) {
  std::lock_guard lock(mu_);
  if (stop_) throw Error(Code::kClosed, "The database is closed");
  uint64_t id = next_id_++;
  subscribers_.emplace(id, std::make_pair(std::move(collection), std::move(subscriber)));
  return id;
}

void ChangeFeed::unsubscribe(uint64_t id) {
  std::shared_ptr<Subscriber> released;  // destroyed after the lock is dropped
  std::unique_lock lock(mu_);
  auto it = subscribers_.find(id);
  if (it != subscribers_.end()) {
    released = std::move(it->second.second);
    subscribers_.erase(it);
  }
  if (std::this_thread::get_id() != thread_id_) {
    idle_cv_.wait(lock, [&] { return !busy_; });
  }
}

void ChangeFeed::stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void ChangeFeed::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || (!outbox_.empty() && outbox_.front().lsn <= deliverable_lsn_); });
    if (outbox_.empty() || outbox_.front().lsn > deliverable_lsn_) {
      if (stop_) return;
      continue;
    }
    ChangeEvent event = std::move(outbox_.front());
    outbox_.pop_front();
    // Copy the matching subscribers, then call them without the lock.
    std::vector<std::pair<uint64_t, std::shared_ptr<Subscriber>>> targets;
    for (const auto& [id, sub] : subscribers_) {
      if (sub.first.empty() || sub.first == event.collection) targets.emplace_back(id, sub.second);
    }
    busy_ = true;
    for (auto& [id, sub] : targets) {
      if (!subscribers_.count(id)) continue;  // unsubscribed by an earlier callback
      lock.unlock();
      try {
        sub->on_change(event);
      } catch (...) {
        // A subscriber's exception must not stop the feed.
      }
      lock.lock();
    }
    lock.unlock();
    targets.clear();  // may run a user_data destructor: outside the lock
    lock.lock();
    busy_ = false;
    idle_cv_.notify_all();
  }
}

std::vector<ChangeEvent> ChangeFeed::changes_since(uint64_t since, size_t limit, uint64_t* complete_to) const {
  std::lock_guard lock(mu_);
  if (since < floor_lsn_) {
    throw_invalid("Changes after LSN " + std::to_string(since) + " are no longer retained (the feed keeps events after LSN " +
                  std::to_string(floor_lsn_) + "); read the collections again and continue from a newer LSN");
  }
  std::vector<ChangeEvent> out;
  uint64_t last = published_lsn_;
  for (const ChangeEvent& e : ring_) {
    if (e.lsn <= since) continue;
    if (out.size() >= limit && e.lsn != out.back().lsn) {
      last = out.back().lsn;  // never split the events of one LSN
      break;
    }
    out.push_back(e);
  }
  *complete_to = std::max(last, since);
  return out;
}

uint64_t ChangeFeed::oldest_retained_lsn() const {
  std::lock_guard lock(mu_);
  return floor_lsn_;
}

}  // namespace kiln
