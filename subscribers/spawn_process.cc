#include "subscribers/spawn_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cstring>

extern char** environ;

namespace hookbroker::subscribers {

Result<pid_t> SpawnProcess(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env, SpawnStdio stdio) {
  if (argv.empty()) return Error{"spawn_failed", "no program to start", ""};
  std::vector<std::string> storage = argv;
  std::vector<std::string> env_storage = env;
  std::vector<char*> args, envp;
  for (std::string& a : storage) args.push_back(a.data());
  args.push_back(nullptr);
  for (std::string& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdio.in < 0) {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  } else {
    posix_spawn_file_actions_adddup2(&actions, stdio.in, STDIN_FILENO);
  }
  posix_spawn_file_actions_adddup2(&actions, stdio.out, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, stdio.err, STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Error{"spawn_failed", "cannot start " + argv[0] + ": " + std::strerror(rc), ""};
  }
  return pid;
}

std::vector<std::string> CurrentEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

}  // namespace hookbroker::subscribers
