#include "broker/server_thread_pool.h"

#include <utility>

namespace hookbroker {

ServerThreadPool::ServerThreadPool(std::size_t threads, std::shared_ptr<Contention> contention)
    : contention_(std::move(contention)) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

ServerThreadPool::~ServerThreadPool() { shutdown(); }

void ServerThreadPool::enqueue(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(fn));
    contention_->queued.fetch_add(1);
  }
  cv_.notify_one();
}

void ServerThreadPool::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  threads_.clear();
}

void ServerThreadPool::Work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      contention_->idle.fetch_add(1);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      // As httplib::ThreadPool: connections accepted before shutdown are still served.
      if (jobs_.empty()) {
        contention_->idle.fetch_sub(1);
        return;
      }
      job = std::move(jobs_.front());
      jobs_.pop_front();
      // Queued first: a reader between the two sees a free thread, never a waiting connection
      // that this thread has already taken.
      contention_->queued.fetch_sub(1);
      contention_->idle.fetch_sub(1);
    }
    job();
  }
}

}  // namespace hookbroker
