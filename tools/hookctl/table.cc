#include "tools/hookctl/table.h"

#include <algorithm>

#include "tools/hookctl/printable.h"

namespace hookctl {
namespace {

void PrintRow(std::FILE* out, const std::vector<std::string>& cells,
              const std::vector<std::size_t>& widths) {
  std::string line;
  for (std::size_t i = 0; i < widths.size(); ++i) {
    const std::string& cell = i < cells.size() ? cells[i] : std::string();
    line += cell;
    if (i + 1 < widths.size()) line.append(widths[i] - DisplayWidth(cell) + 2, ' ');
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  line.push_back('\n');
  std::fputs(line.c_str(), out);
}

}  // namespace

void Table::AddRow(std::vector<std::string> cells) {
  for (std::string& c : cells) c = Printable(c);
  rows_.push_back(std::move(cells));
}

void Table::Print(std::FILE* out) const {
  std::vector<std::size_t> widths;
  for (const std::string& h : headers_) widths.push_back(DisplayWidth(h));
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  PrintRow(out, headers_, widths);
  for (const auto& row : rows_) PrintRow(out, row, widths);
}

void PrintFields(std::FILE* out, const std::vector<std::pair<std::string, std::string>>& fields,
                 const std::string& indent) {
  std::size_t width = 0;
  for (const auto& [label, value] : fields) width = std::max(width, DisplayWidth(label) + 1);
  for (const auto& [label, value] : fields) {
    std::string line = indent + label + ":";
    line.append(width - DisplayWidth(label) - 1 + 2, ' ');
    line += Printable(value);
    line.push_back('\n');
    std::fputs(line.c_str(), out);
  }
}

}  // namespace hookctl
