#include "broker/log.h"

#include <atomic>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace hookbroker {
namespace {

std::atomic<bool> g_json{false};
std::mutex g_mu;

std::string Timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count() % 1000));
  return buf;
}

void Write(std::string_view level, std::string_view component, std::string_view message) {
  std::string line;
  if (g_json.load(std::memory_order_relaxed)) {
    boost::json::object o;
    o["ts"] = Timestamp();
    o["level"] = level;
    o["component"] = component;
    o["msg"] = message;
    line = boost::json::serialize(o);
  } else {
    line = Timestamp();
    line += ' ';
    line += level;
    line.append(6 - level.size(), ' ');
    line += component;
    line += ": ";
    line += message;
  }
  line += '\n';
  std::lock_guard<std::mutex> lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

void SetLogJson(bool json) { g_json.store(json); }
void LogInfo(std::string_view c, std::string_view m) { Write("INFO", c, m); }
void LogWarn(std::string_view c, std::string_view m) { Write("WARN", c, m); }
void LogError(std::string_view c, std::string_view m) { Write("ERROR", c, m); }

}  // namespace hookbroker
