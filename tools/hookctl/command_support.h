// What most commands share: calling the broker and reading its JSON, checking positionals,
// and turning reply fields into table cells.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/hookctl/api_client.h"
#include "tools/hookctl/command.h"
#include "tools/hookctl/table.h"

namespace hookctl {

// A client for the broker in `inv.settings`, or nullptr after reporting a bad --url (exit 2).
std::unique_ptr<ApiClient> Connect(const Invocation& inv, int& exit_code);

// Calls the broker and parses its JSON reply into `out`. Returns kExitOk on any 2xx with a JSON
// body; otherwise reports (report.h) and returns the exit code. `raw`, when given, receives
// the body as the broker sent it (for --json).
int CallJson(const Invocation& inv, ApiClient& api, std::string_view method,
             const std::string& path, const std::string& body, boost::json::value& out,
             std::string* raw = nullptr);

// Prints a reply body as is, ending with a newline (for --json).
void PrintRaw(std::string_view body);

// The one positional `name` (e.g. "WEBHOOK_ID"); on anything else reports a usage error and
// returns nullopt.
std::optional<std::string> OnePositional(const Invocation& inv, std::string_view command,
                                         std::string_view name);

// A usage error for `command`: "hookctl: MESSAGE (see hookctl COMMAND --help)", exit 2.
int UsageError(std::string_view command, std::string_view message);

// A whole number in [min, max] from option `name`, or a usage error (nullopt, already reported).
std::optional<std::int64_t> IntOption(const Invocation& inv, std::string_view command,
                                      std::string_view name, std::int64_t min, std::int64_t max,
                                      bool& failed);

// A TIME option (time_text.h) as epoch ms; nullopt when absent; `failed` on a bad value.
std::optional<std::int64_t> TimeOption(const Invocation& inv, std::string_view command,
                                       std::string_view name, bool& failed);

// A comma-separated option value ("a, b,c") as its non-empty items, spaces around them trimmed.
std::vector<std::string> SplitList(const std::string& text);

// Reply fields as text for people: "-" when absent or null.
std::string FieldText(const boost::json::object& o, std::string_view key);
// An epoch-ms field as RFC 3339 UTC, "-" when absent.
std::string FieldTime(const boost::json::object& o, std::string_view key, bool with_millis = false);
// A field that is an array of strings, joined with ",".
std::string FieldList(const boost::json::object& o, std::string_view key);
// The object under `key`, or an empty one.
const boost::json::object& FieldObject(const boost::json::object& o, std::string_view key);
// The array under `key`, or an empty one.
const boost::json::array& FieldArray(const boost::json::object& o, std::string_view key);

// One call to the broker: with --json its reply is printed as is, otherwise the parsed reply goes
// to `print`. Returns the exit code (kExitOk, or what CallJson reported).
int CallAndPrint(const Invocation& inv, std::string_view method, const std::string& path,
                 const std::string& body,
                 const std::function<void(const boost::json::object&)>& print);

// Lists a paged collection: GET `path` with `params` (and `cursor`), the items under `key`.
// Without --json, each item becomes a row of `table` through `add_row`, the table is printed, and
// a note on stderr tells how to get the next page. With --json, the broker's page is printed as
// is, or, with `all`, one {"KEY":[...]} holding every page's items. `all` follows nextCursor.
int ListPages(const Invocation& inv, ApiClient& api, const std::string& path,
              const std::vector<std::pair<std::string, std::string>>& params, std::string cursor,
              bool all, const std::string& key, Table& table,
              const std::function<void(Table&, const boost::json::object&)>& add_row);

}  // namespace hookctl
