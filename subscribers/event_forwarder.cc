#include "subscribers/event_forwarder.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <utility>
#include <vector>

#include "subscribers/spawn_process.h"

namespace hookbroker::subscribers {
namespace {

namespace json = boost::json;

constexpr std::size_t kBatch = 64;
constexpr auto kRetryPause = std::chrono::seconds(1);

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string Field(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

EventForwarder::EventForwarder(ReceivedStore* store, ForwarderOptions options)
    : store_(store), options_(std::move(options)) {}

EventForwarder::~EventForwarder() {
  Stop();
  if (fd_ > STDERR_FILENO) close(fd_);
}

void EventForwarder::Log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::cerr << "hooksink: " << line << std::endl;
  }
}

Status EventForwarder::Start() {
  if (thread_.joinable()) return Status::Ok();
  if (fd_ < 0 && options_.output == "-") {
    fd_ = STDOUT_FILENO;
  } else if (fd_ < 0 && !options_.output.empty()) {
    fd_ = open(options_.output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      return Error{"output_error", "cannot open " + options_.output + ": " + std::strerror(errno),
                   "output"};
    }
  }
  Result<std::uint64_t> mark = store_->Forwarded();
  if (!mark) return mark.error();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
    pending_ = true;  // forward what an earlier run stored and did not hand on
    forwarded_ = *mark;
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void EventForwarder::Notify() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_ = true;
  cv_.notify_all();
}

void EventForwarder::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

bool EventForwarder::WaitForwarded(std::uint64_t seq, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return forwarded_ >= seq; });
}

void EventForwarder::Run() {
  // A command that exits without reading its stdin must not kill hooksink with SIGPIPE.
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);

  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return pending_ || stopping_; });
    if (stopping_) return;
    pending_ = false;
    std::uint64_t from = forwarded_;
    lock.unlock();

    bool stalled = false;
    while (true) {
      Result<std::vector<StoredCallback>> batch = store_->ReadAfter(from, kBatch);
      if (!batch) {
        Log("cannot read stored callbacks: " + batch.error().message);
        stalled = true;
        break;
      }
      if (batch->empty()) break;
      for (const StoredCallback& callback : *batch) {
        {
          std::lock_guard<std::mutex> check(mu_);
          if (stopping_) return;
        }
        if (!ForwardOne(callback)) {
          stalled = true;
          break;
        }
        Status marked = store_->MarkForwarded(callback.seq);
        if (!marked.ok()) Log("cannot store the forwarded mark: " + marked.error().message);
        from = callback.seq;
        std::lock_guard<std::mutex> done(mu_);
        forwarded_ = callback.seq;
        cv_.notify_all();
      }
      if (stalled) break;
    }

    lock.lock();
    if (stalled) {
      // The output is failing (disk full, closed pipe): try again later, or on the next Notify().
      pending_ = true;
      if (cv_.wait_for(lock, kRetryPause, [this] { return stopping_; })) return;
    }
  }
}

bool EventForwarder::ForwardOne(const StoredCallback& callback) {
  if (fd_ >= 0) {
    if (!WriteAll(fd_, callback.record + "\n")) {
      Log("cannot write to " + (options_.output == "-" ? "stdout" : options_.output) + ": " +
          std::strerror(errno));
      return false;
    }
    // The mark must not move past a line that a crash could still lose.
    if (fd_ != STDOUT_FILENO && fdatasync(fd_) != 0) {
      Log("cannot sync " + options_.output + ": " + std::strerror(errno));
      return false;
    }
  }
  if (!options_.exec.empty()) RunCommand(callback);
  return true;
}

void EventForwarder::RunCommand(const StoredCallback& callback) {
  json::object event;
  boost::system::error_code ec;
  json::value record = json::parse(callback.record, ec);
  if (!ec && record.is_object()) {
    if (const json::value* e = record.get_object().if_contains("event"); e && e->is_object()) {
      event = e->get_object();
    }
  }
  const std::string webhook_id =
      !ec && record.is_object() ? Field(record.get_object(), "webhookId") : std::string();

  std::vector<std::string> env;
  for (std::string& entry : CurrentEnvironment()) {
    if (!entry.starts_with("HOOKSINK_")) env.push_back(std::move(entry));
  }
  env.push_back("HOOKSINK_WEBHOOK_ID=" + webhook_id);
  env.push_back("HOOKSINK_EVENT_TYPE=" + Field(event, "eventType"));
  env.push_back("HOOKSINK_EVENT_ID=" + Field(event, "eventId"));
  env.push_back("HOOKSINK_SEQ=" + std::to_string(callback.seq));

  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    Log(std::string("--exec: pipe2 failed: ") + std::strerror(errno));
    return;
  }
  // The command's stdout goes to stderr: stdout may be the event stream itself.
  Result<pid_t> pid =
      SpawnProcess({"/bin/sh", "-c", options_.exec}, env,
                   SpawnStdio{.in = in[0], .out = STDERR_FILENO, .err = STDERR_FILENO});
  close(in[0]);
  if (!pid) {
    close(in[1]);
    Log("--exec: " + pid.error().message);
    return;
  }
  WriteAll(in[1], callback.record + "\n");  // EPIPE when the command ignores stdin: fine
  close(in[1]);
  int status = 0;
  while (waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Log("--exec failed for webhook-id " + webhook_id + " (" +
        (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                           : "killed by signal " + std::to_string(WTERMSIG(status))) +
        ")");
  }
}

}  // namespace hookbroker::subscribers
