// Producers over ZeroMQ (docs/INGEST.md): DEALER sockets with many requests in flight, each
// request a JSON array of `batch` events of about `event_bytes` bytes; and a paced producer that
// sends one event every 1/rate seconds with its send time ("sentNs", steady clock) in `data`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hookbench {

// One event's JSON, padded to about `bytes` with a text field. sent_ns goes into data.sentNs.
std::string MakeEvent(const std::string& type, const std::string& group,
                      const std::string& event_id, std::int64_t sent_ns, std::size_t bytes);

struct LoadSpec {
  std::string endpoint;
  int producers = 1;
  int in_flight = 1;             // per producer
  int batch = 1;                 // events per request
  double seconds = 0;            // > 0: send for this long
  std::size_t total_events = 0;  // otherwise: exactly this many, spread over the producers
  std::string event_type = "TextMessageCreated";
  // The group of event number n (0-based, unique within the run); called from several threads.
  std::function<std::string(std::uint64_t)> group;
  std::size_t event_bytes = 400;
  std::string id_prefix = "e";
};

struct LoadResult {
  std::uint64_t accepted = 0;      // events acknowledged "accepted"
  std::uint64_t not_accepted = 0;  // duplicates, rejected, or requests answered with an error
  double seconds = 0;              // first send to last acknowledgement
  std::string error;               // a producer stopped early (timeout, socket error)
  std::vector<std::int64_t> ack_latency_ns;  // RunPaced: send → acknowledgement, per request
  double rate() const { return seconds > 0 ? static_cast<double>(accepted) / seconds : 0; }
};

LoadResult RunLoad(const LoadSpec& spec);

// The eventIds RunLoad sends: producer p's k-th event (from 0) is LoadIdPrefix(spec, p) + k,
// and event number n is producer n % producers' (n / producers)-th, LoadEventId(spec, n).
// Baselines use them to store the very records a run sends.
std::string LoadIdPrefix(const LoadSpec& spec, int producer);
std::string LoadEventId(const LoadSpec& spec, std::uint64_t n);

struct PacedSpec {
  std::string endpoint;
  int rate = 1000;  // events per second
  double seconds = 5;
  std::string group;
  int groups = 1;  // > 1: event i goes to group + "-" + (i % groups)
  std::size_t event_bytes = 400;
  std::string id_prefix = "paced";
};

LoadResult RunPaced(const PacedSpec& spec);

}  // namespace hookbench
