#include "broker/slack_markup.h"

#include <boost/json.hpp>
#include <cctype>
#include <optional>

namespace hookbroker {
namespace {

namespace json = boost::json;

// "http:", "mailto:": letters, digits, + - . after a first letter, then a colon.
bool HasScheme(std::string_view s) {
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    const char c = s[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

// The Markdown for the inside of one <...>, or nothing when it is to stay as it is.
std::optional<std::string> Translate(std::string_view inner) {
  const std::size_t bar = inner.find('|');
  const std::string_view target = inner.substr(0, bar);
  if (target == "!channel" || target == "!here" || target == "!all") {
    return "@" + std::string(target.substr(1));
  }
  if (!HasScheme(target)) return std::nullopt;
  if (bar == std::string_view::npos) return std::string(target);
  const std::string_view label = inner.substr(bar + 1);
  if (label.empty()) return std::string(target);
  return "[" + std::string(label) + "](" + std::string(target) + ")";
}

void TranslateField(json::object& o, std::string_view name) {
  json::value* v = o.if_contains(name);
  if (v != nullptr && v->is_string()) *v = SlackToMarkdown(v->get_string());
}

}  // namespace

std::string SlackToMarkdown(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find('<', i);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find_first_of("<>", open + 1);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    if (text[close] == '<') {  // "a < b <x>": this '<' opens nothing
      out.push_back('<');
      i = open + 1;
      continue;
    }
    if (auto md = Translate(text.substr(open + 1, close - open - 1))) {
      out += *md;
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  out.append(text.substr(std::min(i, text.size())));
  return out;
}

void SlackAttachmentsToMarkdown(json::array& attachments) {
  for (json::value& a : attachments) {
    json::object* o = a.if_object();
    if (o == nullptr) continue;
    for (const char* name : {"pretext", "text", "title"}) TranslateField(*o, name);
    json::value* fields = o->if_contains("fields");
    if (fields == nullptr || !fields->is_array()) continue;
    for (json::value& f : fields->get_array()) {
      if (json::object* fo = f.if_object()) TranslateField(*fo, "value");
    }
  }
}

}  // namespace hookbroker
