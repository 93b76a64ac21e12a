// What a REST request needs from its caller, decided from its method and path alone, in one
// place: the pre-routing handler of ApiServer applies it before any route runs. Pure.
//
//   open   /healthz, POST /hooks/{key} (incoming webhooks: the URL is the secret), and anything
//          else outside /v1 and /metrics
//   read   GET and HEAD under /v1, and /metrics: any key, read-only ones included
//   admin  every other method under /v1; and the GETs that reveal a secret or a key:
//          /v1/keys..., /v1/webhook/{id}/secret and /v1/hooks... (incoming webhooks' URLs)
#pragma once

#include <string_view>

namespace hookbroker {

enum class ApiAccess { kOpen, kRead, kAdmin };

ApiAccess RequiredAccess(std::string_view method, std::string_view path);

}  // namespace hookbroker
