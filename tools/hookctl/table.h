// Output for people: aligned columns under a header, and "Field: value" blocks.
#pragma once

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace hookctl {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

  // Cells are made Printable(); missing cells print empty.
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }

  // Columns are separated by two spaces; the last column is not padded, so that lines carry no
  // trailing blanks.
  void Print(std::FILE* out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// "Label:  value" lines with the values aligned; values are made Printable().
void PrintFields(std::FILE* out, const std::vector<std::pair<std::string, std::string>>& fields,
                 const std::string& indent = "");

}  // namespace hookctl
