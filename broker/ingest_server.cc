#include "broker/ingest_server.h"

#include <vector>
#include <zmq.hpp>

#include "broker/log.h"
#include "proto/ingest_codec.h"
#include "proto/limits.h"

namespace hookbroker {
namespace {

struct Pending {
  std::vector<zmq::message_t> envelope;  // routing id(s) and the empty delimiter
  std::string error;                     // frame-level error; no events when set
  IngestRequest request;
  std::vector<IngestItemResult> results;
};

// Reads one whole multipart message. The last frame is the body; what precedes it up to and
// including the first empty frame is the envelope echoed in the reply. Frames past the limit are
// read and dropped, so a message of a million frames costs no more here than one of nine. Valid
// events the producer gave no id or timestamp get one here, the timestamp being the time the
// request was read: the receive time docs/INGEST.md promises, and work the hand-over to the
// committer (which it delays) no longer does.
bool ReceiveRequest(zmq::socket_t& socket, const Clock& clock, Pending* out) {
  // The ROUTER's routing id, then what the producer sent.
  constexpr std::size_t kKeptFrames = 1 + limits::kMaxIngestRequestFrames;
  std::vector<zmq::message_t> frames;
  std::size_t received = 0;
  for (;;) {
    zmq::message_t frame;
    auto got =
        socket.recv(frame, received == 0 ? zmq::recv_flags::dontwait : zmq::recv_flags::none);
    if (!got) return false;
    ++received;
    const bool more = frame.more();
    if (frames.size() < kKeptFrames) frames.push_back(std::move(frame));
    if (!more) break;
  }
  std::size_t body_start = 1;  // the ROUTER's routing id
  for (std::size_t i = 1; i < frames.size(); ++i) {
    if (frames[i].size() == 0) {
      body_start = i + 1;
      break;
    }
  }
  for (std::size_t i = 0; i < body_start && i < frames.size(); ++i) {
    out->envelope.push_back(std::move(frames[i]));
  }
  if (received > kKeptFrames) {
    out->error = "a request message has at most " +
                 std::to_string(limits::kMaxIngestRequestFrames) +
                 " frames (envelope, empty delimiter, body); got " + std::to_string(received - 1);
    return true;
  }
  const std::size_t body_frames = frames.size() > body_start ? frames.size() - body_start : 0;
  if (body_frames != 1) {
    out->error = body_frames == 0 ? "empty request: send one frame holding a JSON event or array"
                                  : "a request is one frame; got " + std::to_string(body_frames);
    return true;
  }
  const zmq::message_t& body = frames[body_start];
  auto decoded =
      DecodeIngestFrame(std::string_view(static_cast<const char*>(body.data()), body.size()));
  if (!decoded) {
    out->error = decoded.error().message;
    return true;
  }
  out->request = std::move(decoded).value();
  std::int64_t now_ms = 0;
  for (auto& e : out->request.events) {
    if (!e || (!e->id.value().empty() && e->timestamp_ms != 0)) continue;
    if (now_ms == 0) now_ms = clock.NowMs();
    AssignDefaults(*e, EventId(e->id.value().empty() ? GenerateUuid() : e->id.value()), now_ms);
  }
  return true;
}

void SendReply(zmq::socket_t& socket, Pending& p, const std::string& payload) {
  for (auto& frame : p.envelope) socket.send(frame, zmq::send_flags::sndmore);
  socket.send(zmq::buffer(payload), zmq::send_flags::dontwait);
}

// The committer's signal to the ingest thread that a batch is back.
constexpr const char* kWakeEndpoint = "inproc://ingest-committed";

}  // namespace

struct IngestServer::Batch {
  std::vector<Event> events;  // the valid ones, moved out of the requests (they hold the arenas)
  // Declared after `events`, so destroyed first: the moved-from events in here point into the
  // frames' arenas, which live as long as the events above.
  std::vector<Pending> requests;
  std::size_t event_count = 0;  // decoded events, valid or not
  std::int64_t now_ms = 0;
  Result<std::vector<EventCommit>> committed = std::vector<EventCommit>{};
  std::vector<NewDelivery> deliveries;

  bool full() const {
    return requests.size() >= kMaxRequestsPerCommit || event_count >= kMaxEventsPerCommit;
  }
};

IngestServer::IngestServer(Store& store, Dispatcher& dispatcher, const Clock& clock,
                           Metrics& metrics)
    : store_(store), dispatcher_(dispatcher), clock_(clock), metrics_(metrics) {}

IngestServer::~IngestServer() { Stop(); }

Status IngestServer::Bind(const std::string& endpoint) {
  try {
    context_ = std::make_unique<zmq::context_t>(1);
    socket_ = std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::router);
    socket_->set(zmq::sockopt::linger, 1000);
    socket_->set(zmq::sockopt::maxmsgsize,
                 static_cast<std::int64_t>(limits::kMaxIngestMessageBytes));
    socket_->set(zmq::sockopt::rcvhwm, 10000);
    socket_->set(zmq::sockopt::sndhwm, 10000);
    socket_->bind(endpoint);
    endpoint_ = socket_->get(zmq::sockopt::last_endpoint);
    socket_->bind(kLocalEndpoint);
  } catch (const zmq::error_t& e) {
    return Error{"bind_failed", "cannot bind ingest socket at " + endpoint + ": " + e.what(),
                 "ingest-listen"};
  }
  return Status::Ok();
}

void IngestServer::Start() {
  committer_ = std::thread([this] { CommitLoop(); });
  thread_ = std::thread([this] { Run(); });
}

void IngestServer::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    committer_stop_ = true;
  }
  cv_.notify_all();
  if (committer_.joinable()) committer_.join();
  socket_.reset();
  context_.reset();
}

void IngestServer::CommitLoop() {
  zmq::socket_t wake(*context_, zmq::socket_type::pair);
  wake.set(zmq::sockopt::linger, 0);
  wake.connect(kWakeEndpoint);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return to_commit_ != nullptr || committer_stop_; });
    if (to_commit_ == nullptr) return;
    std::unique_ptr<Batch> batch = std::move(to_commit_);
    lock.unlock();
    if (!batch->events.empty()) {
      batch->committed = store_.CommitEvents(batch->events, batch->now_ms, &batch->deliveries);
      if (!batch->committed) {
        LogError("store", "ingest commit failed: " + batch->committed.error().message);
      }
    }
    lock.lock();
    committed_ = std::move(batch);
    wake.send(zmq::str_buffer("c"), zmq::send_flags::dontwait);
    // After the wake-up, so that a read loop that stops on it finds the wake-up to poll.
    committed_ready_.store(true, std::memory_order_relaxed);
  }
}

void IngestServer::Finish(Batch& b, zmq::socket_t& socket) {
  dispatcher_.Enqueue(b.deliveries);
  if (observer_ != nullptr && b.committed) {
    for (std::size_t i = 0; i < b.events.size(); ++i) {
      if ((*b.committed)[i].status == IngestStatus::kAccepted) observer_->OnCommitted(b.events[i]);
    }
  }
  std::size_t next = 0;
  std::size_t accepted = 0, duplicate = 0, rejected = 0;
  for (Pending& p : b.requests) {
    if (!p.error.empty()) {
      metrics_.CountRejectedFrame();
      SendReply(socket, p, EncodeIngestError(p.error));
      continue;
    }
    if (!b.committed) {
      for (auto& e : p.request.events) next += e.ok() ? 1 : 0;
      // Storage full is said in plain words: the producer (or its operator) must know that
      // retrying now fails the same way until space returns.
      const Error& error = b.committed.error();
      const std::string cause =
          error.code == "storage_full"
              ? "storage full (the --map-size-mb map or the disk is used up; " + error.message + ")"
              : error.message;
      SendReply(socket, p,
                EncodeIngestError("not stored: " + cause +
                                  "; nothing in this request was accepted, send it again"));
      continue;
    }
    std::vector<IngestItemResult> results;
    results.reserve(p.request.events.size());
    for (std::size_t i = 0; i < p.request.events.size(); ++i) {
      auto& e = p.request.events[i];
      IngestItemResult r;
      if (!e) {
        r.status = IngestStatus::kRejected;
        r.event_id = p.request.rejected_ids[i];
        r.error = e.error().message;
        ++rejected;
      } else {
        r.event_id = b.events[next].id.value();
        const EventCommit& c = (*b.committed)[next++];
        r.status = c.status;
        r.deliveries = c.deliveries;
        accepted += c.status == IngestStatus::kAccepted ? 1 : 0;
        duplicate += c.status == IngestStatus::kDuplicate ? 1 : 0;
      }
      results.push_back(std::move(r));
    }
    SendReply(socket, p, EncodeIngestReply(results));
  }
  metrics_.CountEvents(accepted, duplicate, rejected);
}

void IngestServer::Run() {
  zmq::socket_t& socket = *socket_;
  zmq::socket_t wake(*context_, zmq::socket_type::pair);
  wake.set(zmq::sockopt::linger, 0);
  wake.bind(kWakeEndpoint);

  auto next = std::make_unique<Batch>();
  bool committing = false;
  // Moves the valid events out of the requests and hands the batch to the committer.
  auto submit = [&] {
    next->now_ms = clock_.NowMs();
    next->events.reserve(next->event_count);
    for (Pending& p : next->requests) {
      for (auto& e : p.request.events) {
        if (e) next->events.push_back(std::move(*e));
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      to_commit_ = std::move(next);
    }
    cv_.notify_one();
    next = std::make_unique<Batch>();
    committing = true;
  };

  // On stop: the batch being committed is finished and answered, then whatever was already
  // taken from the socket is committed and answered too.
  while (!stop_.load() || committing || !next->requests.empty()) {
    const bool stopping = stop_.load();
    zmq::pollitem_t items[] = {{wake.handle(), 0, ZMQ_POLLIN, 0},
                               {socket.handle(), 0, ZMQ_POLLIN, 0}};
    // A full next batch (or stopping) leaves the socket unread: ZeroMQ's queue pushes back.
    const int watched = (next->full() || stopping) ? 1 : 2;
    try {
      zmq::poll(items, watched, std::chrono::milliseconds(50));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      LogError("ingest", std::string("poll failed: ") + e.what());
      break;
    }
    if (items[0].revents & ZMQ_POLLIN) {
      zmq::message_t signal;
      (void)wake.recv(signal, zmq::recv_flags::dontwait);
      std::unique_ptr<Batch> done;
      {
        std::lock_guard<std::mutex> lock(mu_);
        done = std::move(committed_);
        committed_ready_.store(false, std::memory_order_relaxed);
      }
      if (done) {
        committing = false;
        if (!next->requests.empty()) submit();
        Finish(*done, socket);
      }
    }
    if (watched == 2 && (items[1].revents & ZMQ_POLLIN)) {
      // Stops as soon as a committed batch is back (after the request being decoded), so that
      // the committer gets the next batch without waiting for this read to drain the socket.
      while (!next->full() && !committed_ready_.load(std::memory_order_relaxed)) {
        Pending p;
        if (!ReceiveRequest(socket, clock_, &p)) break;
        next->event_count += p.request.events.size();
        next->requests.push_back(std::move(p));
      }
    }
    if (!committing && !next->requests.empty()) submit();
  }
}

}  // namespace hookbroker
