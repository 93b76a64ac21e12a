// StringMap<V>: an unordered_map keyed by std::string that finds a std::string_view without first
// copying it into a std::string (C++20 heterogeneous lookup). Subscription ids are longer than the
// small-string buffer, so each such copy was a malloc and a free on the delivery path.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hookbroker {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

}  // namespace hookbroker
