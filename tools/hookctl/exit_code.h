// hookctl's exit codes: the contract scripts rely on (documented in --help and docs/HOOKCTL.md).
#pragma once

namespace hookctl {

enum ExitCode : int {
  kExitOk = 0,
  // The broker answered with an error not listed below, or an event was rejected.
  kExitFailed = 1,
  // Bad usage or input: nothing was sent.
  kExitUsage = 2,
  // The broker could not be reached, or did not answer in time.
  kExitUnreachable = 3,
  // The broker refused the API key (HTTP 401).
  kExitUnauthorized = 4,
  // The id (or the route) is unknown to the broker (HTTP 404).
  kExitNotFound = 5,
  // The API key is valid but may not make this call (HTTP 403): a read-only key.
  kExitForbidden = 6,
};

}  // namespace hookctl
