// The JSON forms of an OutgoingHook: the REST API's (Mattermost's field names) and the stored
// record (Store::PutRecord, RecordKind::kOutgoingHook, keyed by the hook id), which is the API
// form with the token. No I/O.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "broker/outgoing_hook.h"
#include "proto/result.h"

namespace hookbroker {

// id, token (only `with_token`: the token is shown to admin keys only), create_at, update_at,
// channel_id, team_id, trigger_words, trigger_when, callback_urls, content_type, display_name,
// description, username, icon_url.
boost::json::object OutgoingHookJson(const OutgoingHook& hook, bool with_token);

std::string EncodeOutgoingHook(const OutgoingHook& hook);
// Error "corrupt_record" when the bytes are not a hook this version wrote.
Result<OutgoingHook> DecodeOutgoingHook(std::string_view stored);

}  // namespace hookbroker
