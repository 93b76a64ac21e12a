#include "subscribers/hooksink_options.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <map>

namespace hookbroker::subscribers {
namespace {

Error FlagError(const std::string& flag, const std::string& message) {
  return Error{"invalid_flag", "--" + flag + ": " + message, flag};
}

Result<long long> ParseNumber(const std::string& flag, const std::string& text, long long min,
                              long long max) {
  long long n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || n < min || n > max) {
    return FlagError(flag, "expected a whole number from " + std::to_string(min) + " to " +
                               std::to_string(max) + ", got \"" + text + "\"");
  }
  return n;
}

// "HOST:PORT", "[V6]:PORT" or ":PORT".
Status ParseListen(const std::string& text, EndpointOptions* out) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return FlagError("listen", "expected HOST:PORT");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  Result<long long> port = ParseNumber("listen", text.substr(colon + 1), 0, 65535);
  if (!port) return port.error();
  out->host = host.empty() ? "127.0.0.1" : host;
  out->port = static_cast<int>(*port);
  return Status::Ok();
}

Status ReadSecretFile(const std::string& file, std::vector<std::string>* secrets) {
  std::ifstream in(file);
  if (!in) return FlagError("secret-file", "cannot read " + file);
  std::string line;
  std::size_t found = 0;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    secrets->push_back(line);
    ++found;
  }
  if (found == 0) return FlagError("secret-file", file + " holds no secret");
  return Status::Ok();
}

}  // namespace

Result<HooksinkOptions> ParseHooksinkArgs(const std::vector<std::string>& args) {
  HooksinkOptions o;
  o.endpoint.port = 8000;
  using Setter = std::function<Status(const std::string&)>;
  const std::map<std::string, Setter> flags = {
      {"listen", [&](const std::string& v) { return ParseListen(v, &o.endpoint); }},
      {"tls-cert", [&](const std::string& v) { return o.endpoint.cert_file = v, Status::Ok(); }},
      {"tls-key", [&](const std::string& v) { return o.endpoint.key_file = v, Status::Ok(); }},
      {"path", [&](const std::string& v) { return o.path = v, Status::Ok(); }},
      {"data-dir", [&](const std::string& v) { return o.data_dir = v, Status::Ok(); }},
      {"secret",
       [&](const std::string& v) { return o.verifier.secrets.push_back(v), Status::Ok(); }},
      {"secret-file", [&](const std::string& v) { return ReadSecretFile(v, &o.verifier.secrets); }},
      {"token", [&](const std::string& v) { return o.verifier.callback_token = v, Status::Ok(); }},
      {"basic-auth",
       [&](const std::string& v) { return o.verifier.basic_credentials = v, Status::Ok(); }},
      {"auth-header",
       [&](const std::string& v) { return o.verifier.auth_header = v, Status::Ok(); }},
      {"tolerance",
       [&](const std::string& v) -> Status {
         Result<long long> n = ParseNumber("tolerance", v, 1, 86400);
         if (!n) return n.error();
         o.verifier.tolerance_s = *n;
         return Status::Ok();
       }},
      {"max-body",
       [&](const std::string& v) -> Status {
         Result<long long> n = ParseNumber("max-body", v, 1024, 64ll << 20);
         if (!n) return n.error();
         o.endpoint.max_body = static_cast<std::size_t>(*n);
         return Status::Ok();
       }},
      {"retention-days",
       [&](const std::string& v) -> Status {
         Result<long long> n = ParseNumber("retention-days", v, 0, 3650);
         if (!n) return n.error();
         o.retention_days = static_cast<int>(*n);
         return Status::Ok();
       }},
      {"threads",
       [&](const std::string& v) -> Status {
         Result<long long> n = ParseNumber("threads", v, 1, 256);
         if (!n) return n.error();
         o.endpoint.threads = static_cast<int>(*n);
         return Status::Ok();
       }},
      {"output", [&](const std::string& v) { return o.forwarder.output = v, Status::Ok(); }},
      {"exec", [&](const std::string& v) { return o.forwarder.exec = v, Status::Ok(); }},
      {"fault-injection",
       [&](const std::string& v) -> Status {
         if (v != "kill-after-store") return FlagError("fault-injection", "only kill-after-store");
         o.kill_after_store = true;
         return Status::Ok();
       }},
  };

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      return o;
    }
    if (!arg.starts_with("--")) {
      return Error{"invalid_flag", "unexpected argument \"" + arg + "\" (see --help)", ""};
    }
    std::string name = arg.substr(2), value;
    const std::size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto it = flags.find(name);
    if (it == flags.end()) {
      return Error{"invalid_flag", "unknown flag --" + name + " (see --help)", name};
    }
    if (eq == std::string::npos) {
      if (i + 1 >= args.size()) return FlagError(name, "needs a value");
      value = args[++i];
    }
    if (Status s = it->second(value); !s.ok()) return s.error();
  }

  if (o.verifier.secrets.empty()) {
    return Error{"invalid_flag",
                 "a signing secret is required: --secret whsec_... or --secret-file FILE",
                 "secret"};
  }
  if (o.endpoint.cert_file.empty() != o.endpoint.key_file.empty()) {
    return FlagError("tls-cert", "--tls-cert and --tls-key go together");
  }
  if (!o.path.empty() && o.path.front() != '/') return FlagError("path", "must start with /");
  return o;
}

std::string HooksinkUsage() {
  return R"usage(hooksink: a ready receiver for hookbroker callbacks (docs/RECEIVING.md).

Verifies every callback (Standard Webhooks signature, kz-callback-token, basic auth), stores it
durably in LMDB, answers 2xx only once it is stored (so the broker's retries cover a crash),
recognises redeliveries by webhook-id, and forwards each event as one JSON line.

usage: hooksink --secret whsec_... [flags]

Serving:
  --listen HOST:PORT        where to listen (default 127.0.0.1:8000; port 0: any free port)
  --tls-cert FILE           PEM certificate (chain); with --tls-key, serve HTTPS
  --tls-key FILE            PEM private key
  --path /PATH              accept callbacks only on this path (default: any path)
  --max-body BYTES          larger bodies are answered 413 (default 1048576)
  --threads N               HTTP worker threads (default 8)

Checks:
  --secret whsec_...        the webhook's signing secret; repeat during a rotation (any may sign)
  --secret-file FILE        secrets one per line ('#' comments); keeps them out of `ps`
  --token TOKEN             require this kz-callback-token (the webhook's callBackToken)
  --basic-auth USER:PASS    require "Basic base64(USER:PASS)" (or a bare token) in the auth header
  --auth-header NAME        the header carrying basic auth (default Authorization)
  --tolerance SECONDS       accepted clock difference of webhook-timestamp (default 300)

Storing and forwarding:
  --data-dir DIR            the LMDB store of received callbacks (default ./hooksink-data)
  --retention-days N        forget forwarded callbacks (and their webhook-ids) after N days;
                            keep it longer than the broker may redeliver (default 30; 0: never)
  --output -|FILE|''        where each event goes as one JSON line: - stdout (default), a file
                            (appended and synced), or '' for nowhere
  --exec COMMAND            run `/bin/sh -c COMMAND` per event, the JSON line on stdin and
                            HOOKSINK_WEBHOOK_ID, HOOKSINK_EVENT_TYPE, HOOKSINK_EVENT_ID, HOOKSINK_SEQ
                            in its environment; its stdout goes to stderr

Fault injection (tests only):
  --fault-injection kill-after-store
                            die by SIGKILL after storing a new callback, before answering it

  --help                    this text

Answers: 200 once stored ({"status":"stored"} or {"status":"duplicate"}); 401 when a check fails;
400 for a body that is not a callback; 503 when the store fails. A ready line
"hooksink ready url=URL" goes to stderr, and logs too. SIGTERM or SIGINT stops it.
)usage";
}

}  // namespace hookbroker::subscribers
