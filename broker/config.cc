#include "broker/config.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace hookbroker {
namespace {

Error FlagError(const std::string& flag, const std::string& message) {
  return Error{"invalid_config", "--" + flag + ": " + message, flag};
}

Result<std::int64_t> ParseInt(const std::string& flag, const std::string& text, std::int64_t min,
                              std::int64_t max) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) {
    return FlagError(flag, "expected a whole number from " + std::to_string(min) + " to " +
                               std::to_string(max) + ", got \"" + text + "\"");
  }
  return v;
}

Result<std::chrono::milliseconds> ParseSeconds(const std::string& flag, const std::string& text) {
  try {
    std::size_t used = 0;
    double s = std::stod(text, &used);
    if (used != text.size() || !(s > 0) || s > 3600) throw std::invalid_argument("range");
    return std::chrono::milliseconds(static_cast<std::int64_t>(s * 1000));
  } catch (const std::exception&) {
    return FlagError(flag, "expected seconds between 0 and 3600, got \"" + text + "\"");
  }
}

// Days, decimals allowed, up to 36500; 0 only when `zero_means` says what it means.
Result<std::chrono::milliseconds> ParseDays(const std::string& flag, const std::string& text,
                                            const char* zero_means = nullptr) {
  try {
    std::size_t used = 0;
    const double days = std::stod(text, &used);
    const bool zero_ok = zero_means != nullptr && days == 0;
    if (used != text.size() || !(days > 0 || zero_ok) || days > 36500) {
      throw std::invalid_argument(text);
    }
    if (zero_ok) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(
        std::max<std::int64_t>(static_cast<std::int64_t>(days * 86400000.0), 1));
  } catch (const std::exception&) {
    return FlagError(flag, std::string("expected days above 0") +
                               (zero_means ? std::string(" (or 0: ") + zero_means + ")" : "") +
                               ", at most 36500, got \"" + text + "\"");
  }
}

struct FlagSpec {
  bool takes_value;
  bool repeatable;
  std::function<Status(Config&, const std::string&)> apply;
};

// A flag naming a file that must be readable now (a typo should fail at start, not later).
std::function<Status(Config&, const std::string&)> ReadableFile(const char* flag,
                                                                std::string Config::*field) {
  return [flag, field](Config& c, const std::string& v) -> Status {
    if (!std::ifstream(v)) return FlagError(flag, "cannot read " + v);
    c.*field = v;
    return Status::Ok();
  };
}

// A flag giving whole milliseconds from 0 to 100.
std::function<Status(Config&, const std::string&)> Milliseconds(
    const char* flag, std::chrono::milliseconds Config::*field) {
  return [flag, field](Config& c, const std::string& v) -> Status {
    auto n = ParseInt(flag, v, 0, 100);
    if (!n) return n.error();
    c.*field = std::chrono::milliseconds(*n);
    return Status::Ok();
  };
}

const std::map<std::string, FlagSpec>& Flags() {
  static const std::map<std::string, FlagSpec> flags = {
      {"data-dir",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          if (v.empty()) return FlagError("data-dir", "must not be empty");
          c.data_dir = v;
          return Status::Ok();
        }}},
      {"http-listen",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          if (v.rfind(':') == std::string::npos)
            return FlagError("http-listen", "expected HOST:PORT");
          c.http_listen = v;
          return Status::Ok();
        }}},
      {"ingest-listen",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          if (v.find("://") == std::string::npos) {
            return FlagError("ingest-listen",
                             "expected a ZeroMQ endpoint such as tcp://127.0.0.1:5555");
          }
          c.ingest_listen = v;
          return Status::Ok();
        }}},
      {"api-key",
       {true, true,
        [](Config& c, const std::string& v) -> Status {
          if (v.size() < 16) return FlagError("api-key", "an API key needs at least 16 characters");
          c.api_keys.push_back(v);
          return Status::Ok();
        }}},
      {"api-tls-cert", {true, false, ReadableFile("api-tls-cert", &Config::api_tls_cert)}},
      {"api-tls-key", {true, false, ReadableFile("api-tls-key", &Config::api_tls_key)}},
      {"allow-http-callbacks",
       {false, false,
        [](Config& c, const std::string&) -> Status {
          c.allow_http_callbacks = true;
          return Status::Ok();
        }}},
      {"ca-file", {true, false, ReadableFile("ca-file", &Config::ca_file)}},
      {"callback-allow",
       {true, true,
        [](Config& c, const std::string& v) -> Status {
          auto cidr = ParseCidr(v);
          if (!cidr) return FlagError("callback-allow", cidr.error().message);
          c.callback_allow.push_back(*cidr);
          c.callback_allow_text.push_back(v);
          return Status::Ok();
        }}},
      {"retry-schedule",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto s = RetrySchedule::Parse(v);
          if (!s) return FlagError("retry-schedule", s.error().message);
          c.retry_schedule = *s;
          return Status::Ok();
        }}},
      {"no-validation-handshake",
       {false, false,
        [](Config& c, const std::string&) -> Status {
          c.validation_handshake = false;
          return Status::Ok();
        }}},
      {"delivery-workers",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto n = ParseInt("delivery-workers", v, 1, 1024);
          if (!n) return n.error();
          c.delivery_workers = static_cast<int>(*n);
          return Status::Ok();
        }}},
      {"max-unrecorded",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto n = ParseInt("max-unrecorded", v, 0, 1 << 20);
          if (!n) return n.error();
          c.max_unrecorded = static_cast<int>(*n);
          return Status::Ok();
        }}},
      {"record-linger-ms", {true, false, Milliseconds("record-linger-ms", &Config::record_linger)}},
      {"record-patience-ms",
       {true, false, Milliseconds("record-patience-ms", &Config::record_patience)}},
      {"endpoint-concurrency",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto n = ParseInt("endpoint-concurrency", v, 1, 256);
          if (!n) return n.error();
          c.endpoint_concurrency = static_cast<int>(*n);
          return Status::Ok();
        }}},
      {"callback-timeout",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto d = ParseSeconds("callback-timeout", v);
          if (!d) return d.error();
          c.callback_timeout = *d;
          return Status::Ok();
        }}},
      {"connect-timeout",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto d = ParseSeconds("connect-timeout", v);
          if (!d) return d.error();
          c.connect_timeout = *d;
          return Status::Ok();
        }}},
      {"dns-cache-seconds",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto n = ParseInt("dns-cache-seconds", v, 0, 3600);
          if (!n) return n.error();
          c.dns_cache = std::chrono::seconds(*n);
          return Status::Ok();
        }}},
      {"breaker-failures",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto n = ParseInt("breaker-failures", v, 0, 1000);
          if (!n) return n.error();
          c.breaker_failures = static_cast<int>(*n);
          return Status::Ok();
        }}},
      {"breaker-cooldown",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto d = ParseSeconds("breaker-cooldown", v);
          if (!d) return d.error();
          c.breaker_cooldown = *d;
          return Status::Ok();
        }}},
      {"disable-after-days",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto d = ParseDays("disable-after-days", v, "never");
          if (!d) return d.error();
          c.disable_after = *d;
          return Status::Ok();
        }}},
      {"map-size-mb",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto n = ParseInt("map-size-mb", v, 16, 1LL << 24);
          if (!n) return n.error();
          c.map_size_mb = static_cast<std::uint64_t>(*n);
          return Status::Ok();
        }}},
      {"retention-days",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto d = ParseDays("retention-days", v);
          if (!d) return d.error();
          c.retention = *d;
          return Status::Ok();
        }}},
      {"gc-interval",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto d = ParseSeconds("gc-interval", v);
          if (!d) return d.error();
          c.gc_interval = *d;
          return Status::Ok();
        }}},
      {"log-json",
       {false, false,
        [](Config& c, const std::string&) -> Status {
          c.log_json = true;
          return Status::Ok();
        }}},
      {"posts-listen",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          if (v.find("://") == std::string::npos) {
            return FlagError("posts-listen",
                             "expected a ZeroMQ endpoint such as tcp://127.0.0.1:5556");
          }
          c.posts_listen = v;
          return Status::Ok();
        }}},
      {"outgoing-webhook-timeout",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto d = ParseSeconds("outgoing-webhook-timeout", v);
          if (!d) return d.error();
          c.outgoing_webhook_timeout = *d;
          return Status::Ok();
        }}},
      {"outgoing-webhook-queue",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto n = ParseInt("outgoing-webhook-queue", v, 1, 1000000);
          if (!n) return n.error();
          c.outgoing_webhook_queue = static_cast<int>(*n);
          return Status::Ok();
        }}},
      {"outgoing-webhook-workers",
       {true, false,
        [](Config& c, const std::string& v) -> Status {
          auto n = ParseInt("outgoing-webhook-workers", v, 1, 256);
          if (!n) return n.error();
          c.outgoing_webhook_workers = static_cast<int>(*n);
          return Status::Ok();
        }}},
  };
  return flags;
}

// Applies the JSON file: keys are flag names without dashes; booleans for switches, arrays for
// repeatable flags, strings or numbers otherwise.
Status ApplyFile(Config& config, const std::string& path, const std::set<std::string>& on_cli) {
  std::ifstream in(path);
  if (!in) return FlagError("config", "cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(text.str(), ec);
  if (ec || !root.is_object()) {
    return FlagError("config", path + " is not a JSON object" + (ec ? ": " + ec.message() : ""));
  }
  for (const auto& [key, value] : root.as_object()) {
    const std::string name(key);
    auto it = Flags().find(name);
    if (it == Flags().end())
      return FlagError("config", path + ": unknown setting \"" + name + "\"");
    if (on_cli.count(name) != 0) continue;  // the command line wins
    const FlagSpec& spec = it->second;
    auto as_text = [&](const boost::json::value& v) -> std::optional<std::string> {
      if (v.is_string()) return std::string(v.as_string());
      if (v.is_int64()) return std::to_string(v.as_int64());
      if (v.is_uint64()) return std::to_string(v.as_uint64());
      if (v.is_double()) {
        std::ostringstream s;
        s << v.as_double();
        return s.str();
      }
      return std::nullopt;
    };
    if (!spec.takes_value) {
      if (!value.is_bool()) return FlagError(name, "in " + path + ": expected true or false");
      if (value.as_bool()) {
        if (Status s = spec.apply(config, ""); !s) return s;
      }
      continue;
    }
    std::vector<boost::json::value> values;
    if (value.is_array() && spec.repeatable) {
      values.assign(value.as_array().begin(), value.as_array().end());
    } else {
      values.push_back(value);
    }
    for (const auto& v : values) {
      auto t = as_text(v);
      if (!t) return FlagError(name, "in " + path + ": expected a string or number");
      if (Status s = spec.apply(config, *t); !s) return s;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Config> ParseConfig(const std::vector<std::string>& args) {
  Config config;
  std::string config_file;
  std::vector<std::pair<std::string, std::string>> given;
  std::set<std::string> on_cli;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "-h" || arg == "--help") {
      config.show_help = true;
      return config;
    }
    if (arg == "--version") {
      config.show_version = true;
      return config;
    }
    if (arg.rfind("--", 0) != 0) {
      return Error{"invalid_config", "unexpected argument \"" + arg + "\" (see --help)", ""};
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (name == "config") {
      if (!value) {
        if (i + 1 >= args.size()) return FlagError("config", "needs a file name");
        value = args[++i];
      }
      config_file = *value;
      continue;
    }
    auto it = Flags().find(name);
    if (it == Flags().end()) {
      return Error{"invalid_config", "unknown flag --" + name + " (see --help)", name};
    }
    if (it->second.takes_value && !value) {
      if (i + 1 >= args.size()) return FlagError(name, "needs a value");
      value = args[++i];
    }
    if (!it->second.takes_value && value) return FlagError(name, "takes no value");
    if (!it->second.repeatable && on_cli.count(name) != 0) {
      return FlagError(name, "given more than once");
    }
    on_cli.insert(name);
    given.emplace_back(name, value.value_or(""));
  }
  if (!config_file.empty()) {
    if (Status s = ApplyFile(config, config_file, on_cli); !s) return s.error();
  }
  for (const auto& [name, value] : given) {
    if (Status s = Flags().at(name).apply(config, value); !s) return s.error();
  }
  if (config.api_tls_cert.empty() != config.api_tls_key.empty()) {
    const std::string missing = config.api_tls_cert.empty() ? "api-tls-cert" : "api-tls-key";
    return FlagError(missing, "HTTPS needs both --api-tls-cert and --api-tls-key");
  }
  return config;
}

std::string Usage() {
  return R"(hookbroker: durable event subscription broker (ZeroMQ in, signed HTTPS callbacks out)

Usage: hookbroker [FLAGS]

Every flag can also be set in a JSON file given with --config FILE, using the flag's name
without dashes as the key ({"data-dir": "/var/lib/hookbroker", "api-key": ["..."]}).
Flags on the command line win over the file.

Storage and listeners:
  --data-dir DIR              LMDB data folder (default ./data; created if missing); one
                              broker at a time: a second one on the folder exits
  --http-listen HOST:PORT     REST API address (default 127.0.0.1:8080; port 0 picks one)
  --ingest-listen ENDPOINT    ZeroMQ ROUTER endpoint for producers
                              (default tcp://127.0.0.1:5555; tcp://HOST:* picks a port)
  --api-tls-cert PEM          serve the REST API over HTTPS with this certificate (chain);
                              needs --api-tls-key (TLS 1.2 or later)
  --api-tls-key PEM           the certificate's private key (keep it mode 0600)
  --map-size-mb N             LMDB map size in MiB: the most the data may grow to
                              (default 16384; reserves address space, not disk)

Access:
  --api-key KEY               accept KEY on /v1 calls (header "accessToken: KEY" or
                              "Authorization: Bearer KEY"); repeatable; at least 16 characters.
                              Without any, a key is generated once into DATA_DIR/api-key.
                              These are admin keys; more keys, admin or read-only, are
                              created and revoked over REST (/v1/keys) without a restart.

Callbacks:
  --allow-http-callbacks      accept plain http:// callback URLs (default: https only)
  --ca-file PEM               extra CA certificates trusted for https callbacks
                              (in addition to the system store)
  --callback-allow CIDR       allow callbacks to addresses in CIDR although they are loopback,
                              private, link-local, carrier-grade NAT or metadata addresses
                              (refused by default); repeatable, e.g. 127.0.0.0/8
  --retry-schedule S1,S2,...  seconds to wait between attempts; the first attempt is immediate
                              (default 5,300,1800,7200,18000,36000,36000: 8 attempts), each
                              wait +-20% jitter; Retry-After on 429/503 is honoured
  --no-validation-handshake   register webhooks without the GET ?validationToken= check
  --callback-timeout SECONDS  time allowed for one callback attempt (default 15)
  --connect-timeout SECONDS   time allowed to connect to one of the host's addresses (default 5),
                              within the callback timeout; the next allowed address is tried
                              after a refusal or this timeout
  --dns-cache-seconds N       how long a callback host name's addresses are kept before it is
                              looked up again (default 30; 0: look it up for every callback);
                              the SSRF guard checks them on every attempt
  --breaker-failures N        consecutive failures (no connection, timeout, TLS, 5xx, 429) that
                              open an endpoint's circuit: its deliveries wait, and one probe
                              goes after the cool-down (default 5; 0: never open)
  --breaker-cooldown SECONDS  first cool-down of an open circuit; doubles after each failed
                              probe, up to 300 s (default 10)
  --disable-after-days DAYS   disable a webhook whose callbacks fail without one success for
                              this long (default 5; 0: never). 410 Gone disables at once
  --delivery-workers N        callbacks in flight at once, all endpoints (default 32)
  --endpoint-concurrency N    callbacks in flight at once to one endpoint (default 4)
  --max-unrecorded N          callbacks sent whose attempt is not yet recorded, at most: what a
                              crash can make the broker send again (default 0: 32 x
                              --delivery-workers). Lower means fewer repeats after a crash and
                              smaller recorder commits (more CPU per callback); below
                              --delivery-workers it also limits callbacks in flight
  --record-linger-ms N        how long the recorder gathers finished attempts into one fsynced
                              commit, 0 to 100 (default 25; 0: commit what is there at once).
                              Longer means fewer commits; an attempt's record, a retry's
                              scheduling and a delivery's final status wait up to this long,
                              plus --record-patience-ms while events are ingested
  --record-patience-ms N      while events are being ingested, how long a commit of attempt
                              records waits to share the ingest's next commit, one fsync for
                              both, 0 to 100 (default 4). Longer also holds the records, and
                              beyond --max-unrecorded the workers, until that commit; 0: it never
                              waits for the ingest, and events more often wait behind it

History:
  --retention-days DAYS       keep events, deliveries and attempts this long (default 30;
                              decimals allowed); pending deliveries are kept until they end
  --gc-interval SECONDS       how often expired history is removed and free heap memory is
                              given back to the system (default 60)

Other:
  --log-json                  log one JSON object per line instead of text
  --posts-listen ENDPOINT     ZeroMQ PUB endpoint on which every chat post is published
                              (topic: the channel id; docs/CHAT.md)
                              (default tcp://127.0.0.1:5556; tcp://HOST:* picks a port)
  --config FILE               read settings from a JSON file
  --version                   print the version and exit
  -h, --help                  print this help and exit

Outgoing webhooks (trigger words; docs/CHAT.md):
  --outgoing-webhook-timeout SECONDS
                              time allowed for one request to a bot, reply included
                              (default 30); no retries
  --outgoing-webhook-queue N  messages waiting for a worker; more are dropped and counted
                              (default 1000; and at most 64 MiB of them)
  --outgoing-webhook-workers N
                              requests to bots in flight at once (default 2)

Signals: SIGINT or SIGTERM stop the broker gracefully (exit status 0).
On start, a line "hookbroker ready rest=URL ingest=ENDPOINT posts=ENDPOINT" is printed on stdout.
)";
}

}  // namespace hookbroker
