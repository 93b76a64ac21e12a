// PayloadFormat: the shape of the callbacks a subscription receives (docs/CHAT.md, "Payload
// formats"). No I/O; plain values.
//
//  - kaizala:     the Kaizala envelope (envelope.h), the default and the only form before formats
//  - kommunicate: Kommunicate's message forwarding body, the token in `Authentication: Basic`
//  - slack:       a Slack message {text, attachments}, for any Slack-compatible incoming webhook
//  - mattermost:  Mattermost's outgoing-webhook payload, form-encoded or JSON
//  - raw:         the event exactly as published (with the broker's eventId and timestamp)
#pragma once

#include <optional>
#include <string_view>

namespace hookbroker {

enum class PayloadFormat { kKaizala, kKommunicate, kSlack, kMattermost, kRaw };

// "kaizala", "kommunicate", "slack", "mattermost", "raw".
std::string_view ToString(PayloadFormat format);
std::optional<PayloadFormat> ParsePayloadFormat(std::string_view name);

// Whether registering (or moving) such a subscription runs Kaizala's validation handshake
// (GET ?validationToken=X). Kommunicate, Slack and Mattermost receivers do not know it: a Slack
// incoming webhook answers a GET with an error, so the handshake would refuse every one of them.
bool UsesValidationHandshake(PayloadFormat format);

// The header Kommunicate's receivers read the token from (not Authorization).
inline constexpr std::string_view kKommunicateAuthHeader = "Authentication";

}  // namespace hookbroker
