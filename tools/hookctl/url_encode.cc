#include "tools/hookctl/url_encode.h"

#include "proto/form_encode.h"

namespace hookctl {

std::string PercentEncode(std::string_view text) { return hookbroker::PercentEncode(text); }

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    out += out.empty() ? "?" : "&";
    out += PercentEncode(name) + "=" + PercentEncode(value);
  }
  return out;
}

}  // namespace hookctl
