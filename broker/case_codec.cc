#include "broker/case_codec.h"

#include <boost/json.hpp>

namespace hookbroker {
namespace {

Error Corrupt(std::string_view why) {
  return Error{"corrupt_record", "stored emakin case is malformed: " + std::string(why), ""};
}

}  // namespace

std::string CaseKey(std::string_view channel_id, std::string_view case_id) {
  std::string key(channel_id);
  key += '/';
  key += case_id;
  return key;
}

std::string EncodeCase(const CaseRecord& r) {
  return boost::json::serialize(boost::json::object{{"v", 1},
                                                    {"channel_id", r.channel_id},
                                                    {"case_id", r.case_id},
                                                    {"root_id", r.root_id},
                                                    {"post_id", r.post_id},
                                                    {"create_at", r.create_at_ms}});
}

Result<CaseRecord> DecodeCase(std::string_view bytes) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(bytes, ec);
  const boost::json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return Corrupt("not a JSON object");
  const boost::json::value* version = o->if_contains("v");
  if (version == nullptr || !version->is_int64() || version->get_int64() != 1) {
    return Corrupt("missing or unknown \"v\"");
  }
  CaseRecord r;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"channel_id", &r.channel_id},
                          {"case_id", &r.case_id},
                          {"root_id", &r.root_id},
                          {"post_id", &r.post_id}}) {
    const boost::json::value* s = o->if_contains(key);
    if (s == nullptr || !s->is_string())
      return Corrupt(std::string("missing or bad \"") + key + "\"");
    *out = std::string(s->get_string());
  }
  const boost::json::value* at = o->if_contains("create_at");
  if (at == nullptr || !at->is_int64()) return Corrupt("missing or bad \"create_at\"");
  r.create_at_ms = at->get_int64();
  return r;
}

}  // namespace hookbroker
