// EventForwarder: hands each stored callback on, in order, from a ReceivedStore: as one JSON line
// to stdout or an appended file, and/or to a shell command run once per event. The store's
// "forwarded" mark moves past an event only after its line is written (and, for a file, synced)
// and its command has finished, so events stored before a crash are forwarded after the restart:
// forwarding is at least once (a crash between the two repeats the last event).
//
// The command runs as `/bin/sh -c COMMAND` with the line on stdin, its stdout sent to hooksink's
// stderr, and HOOKSINK_WEBHOOK_ID, HOOKSINK_EVENT_TYPE, HOOKSINK_EVENT_ID, HOOKSINK_SEQ in its
// environment. A command that fails is logged and not retried.
//
// Threads: one forwarding thread between Start() and Stop(). Notify() and WaitForwarded() may be
// called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "proto/result.h"
#include "subscribers/received_store.h"

namespace hookbroker::subscribers {

struct ForwarderOptions {
  std::string output = "-";  // "-": stdout; "": no lines; otherwise a file, appended
  std::string exec;          // the command per event; empty: none
  // Where problems are reported (default: stderr, one line each).
  std::function<void(const std::string&)> log;
};

class EventForwarder {
 public:
  EventForwarder(ReceivedStore* store, ForwarderOptions options);
  ~EventForwarder();  // Stop()
  EventForwarder(const EventForwarder&) = delete;
  EventForwarder& operator=(const EventForwarder&) = delete;

  // Opens the output and starts forwarding, beginning with whatever was stored and not yet
  // forwarded. Errors: "output_error" when the file cannot be opened.
  Status Start();
  // Says new callbacks were stored.
  void Notify();
  // Finishes the event in hand and stops; the rest is forwarded after the next Start().
  void Stop();
  // Waits until every callback up to `seq` is forwarded; false on timeout.
  bool WaitForwarded(std::uint64_t seq, std::chrono::milliseconds timeout);

 private:
  void Run();
  // Writes one line and runs the command; false when the line could not be written.
  bool ForwardOne(const StoredCallback& callback);
  void RunCommand(const StoredCallback& callback);
  void Log(const std::string& line) const;

  ReceivedStore* const store_;
  const ForwarderOptions options_;
  int fd_ = -1;  // output descriptor; owned when a file. Used only by the forwarding thread.
  std::thread thread_;

  std::mutex mu_;
  std::condition_variable cv_;   // wakes the thread (work or stop) and WaitForwarded()
  bool pending_ = false;         // guarded by mu_: Notify() since the thread last looked
  bool stopping_ = false;        // guarded by mu_
  std::uint64_t forwarded_ = 0;  // guarded by mu_: the store's mark, as last written
};

}  // namespace hookbroker::subscribers
