// The stored form of an emakin case (Store records, kind kCase): which post opened the thread
// that a case's messages join. Key: CaseKey(channel, case id); value: JSON
//   {"v":1,"channel_id","case_id","root_id","post_id","create_at"}
// root_id is the case's thread (the first post of the case it belongs to; for a case opened by
// the update of another case, that case's root); post_id the post the id came with. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/result.h"

namespace hookbroker {

struct CaseRecord {
  std::string channel_id;
  std::string case_id;
  std::string root_id;
  std::string post_id;
  std::int64_t create_at_ms = 0;
};

// "CHANNEL/CASEID": a channel id has no '/', so the first one separates them.
std::string CaseKey(std::string_view channel_id, std::string_view case_id);

std::string EncodeCase(const CaseRecord& record);
// Error "corrupt_record" when the bytes are not a case this codec wrote.
Result<CaseRecord> DecodeCase(std::string_view bytes);

}  // namespace hookbroker
