// Fuzz target: a callback body as a receiver gets it (subscribers/callback_event), and the
// form bodies of Mattermost outgoing webhooks (subscribers/form_decode).
// Properties: parsing never crashes; an accepted callback has its required fields and a typed
// member matching its kind; a decoded form's names and values are never longer than the body
// (decoding only shortens); every refusal names its reason.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "fuzz/fuzz_check.h"
#include "subscribers/callback_event.h"
#include "subscribers/form_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookbroker::subscribers;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto event = ParseCallbackEvent(input);
  if (event) {
    FUZZ_CHECK(!event->event_type.empty());
    FUZZ_CHECK(!event->event_id.empty());
    FUZZ_CHECK(event->kind != EventKind::kCustom || std::holds_alternative<RawData>(event->typed));
  } else {
    FUZZ_CHECK(!event.error().code.empty());
  }

  auto form = DecodeForm(input);
  if (form) {
    for (const auto& [name, value] : *form) {
      FUZZ_CHECK(name.size() <= input.size());
      FUZZ_CHECK(value.size() <= input.size());
    }
  } else {
    FUZZ_CHECK(form.error().code == "invalid_form");
  }
  return 0;
}
