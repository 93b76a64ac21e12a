// Reading what a program printed, for tests that run the real binaries: substrings, lines, and
// hookctl's "label:  value" lines.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace hookbroker::testing {

inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The non-empty lines of `text`.
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// The value of a "label:  value" line ("" when there is none).
inline std::string Field(const std::string& text, const std::string& label) {
  for (const std::string& line : Lines(text)) {
    if (line.rfind(label + ":", 0) != 0) continue;
    std::string value = line.substr(label.size() + 1);
    value.erase(0, value.find_first_not_of(' '));
    return value;
  }
  return "";
}

}  // namespace hookbroker::testing
