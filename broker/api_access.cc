#include "broker/api_access.h"

namespace hookbroker {

ApiAccess RequiredAccess(std::string_view method, std::string_view path) {
  const bool guarded = path.starts_with("/v1/") || path == "/v1" || path == "/metrics";
  if (!guarded) return ApiAccess::kOpen;
  if (method != "GET" && method != "HEAD") return ApiAccess::kAdmin;
  // Decided by shape rather than by route, so that a route added later under these names is
  // covered too, and a path with a trailing slash or an odd id cannot slip past.
  std::string_view trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
  if (trimmed == "/v1/keys" || trimmed.starts_with("/v1/keys/")) return ApiAccess::kAdmin;
  // An incoming webhook's id is the secret in its URL.
  if (trimmed == "/v1/hooks" || trimmed.starts_with("/v1/hooks/")) return ApiAccess::kAdmin;
  if (trimmed.starts_with("/v1/webhook/") && trimmed.ends_with("/secret")) {
    return ApiAccess::kAdmin;
  }
  return ApiAccess::kRead;
}

}  // namespace hookbroker
