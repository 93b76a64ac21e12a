#include "subscribers/accepted_connections.h"

#include <dirent.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

namespace hookbroker::subscribers {
namespace {

// Inodes of this network namespace's TCP sockets whose local port is `port` and that are not
// listening, from /proc/net/tcp and /proc/net/tcp6 ("sl local rem st ... uid timeout inode").
std::set<std::string> ConnectionInodes(int port) {
  std::set<std::string> inodes;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
            timeout >> inode)) {
        continue;
      }
      const std::size_t colon = local.rfind(':');
      if (colon == std::string::npos || state == "0A") continue;  // 0A: TCP_LISTEN
      if (std::stoi(local.substr(colon + 1), nullptr, 16) != port || inode == "0") continue;
      inodes.insert(inode);
    }
  }
  return inodes;
}

}  // namespace

// shutdown() (not close(): httplib still owns the descriptors) wakes the workers with EOF so
// they finish at once.
// Descriptors are matched by socket inode through readlink() on /proc/self/fd rather than by
// probing every descriptor (fstat, getsockname), which would race with other threads' close().
// A matched descriptor could still be closed by its worker and reused before shutdown(); the
// window is microseconds at Stop() and the reuse would have to happen in exactly that gap.
void ShutDownAcceptedConnections(int port, int how) {
  const std::set<std::string> inodes = ConnectionInodes(port);
  if (inodes.empty()) return;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (const dirent* entry = readdir(dir)) {
    const std::string link = std::string("/proc/self/fd/") + entry->d_name;
    char target[64];
    const ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
    if (n <= 0) continue;
    const std::string_view name(target, static_cast<std::size_t>(n));
    // "socket:[INODE]"
    if (name.size() < 9 || name.substr(0, 8) != "socket:[" || name.back() != ']') continue;
    if (inodes.count(std::string(name.substr(8, name.size() - 9))) == 0) continue;
    shutdown(std::atoi(entry->d_name), how);
  }
  closedir(dir);
}

}  // namespace hookbroker::subscribers
