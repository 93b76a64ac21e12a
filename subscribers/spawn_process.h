// Starting a child process from a multithreaded program: posix_spawn (no code runs between fork
// and exec), the signal mask reset to empty (threads here block SIGPIPE, SIGTERM), and every
// descriptor above 2 closed in the child, so a command never inherits listening sockets or
// connections.
//
// Thread-safety: may be called from any thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "proto/result.h"

namespace hookbroker::subscribers {

// The child's standard descriptors: each is dup2'ed onto 0, 1 or 2; -1 for `in` is /dev/null.
struct SpawnStdio {
  int in = -1;
  int out = 1;
  int err = 2;
};

// Starts argv[0] (a path) with `env` ("NAME=value" entries) as its whole environment.
// Errors: "spawn_failed".
Result<pid_t> SpawnProcess(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env, SpawnStdio stdio);

// This process's environment as "NAME=value" entries.
std::vector<std::string> CurrentEnvironment();

}  // namespace hookbroker::subscribers
