#include "tests/support/raw_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <sstream>
#include <string>

namespace hookbroker::testing {

int ConnectLoopback(int port, std::chrono::seconds timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

HttpReply RawHttp(const std::string& base, const std::string& request, bool half_close) {
  HttpReply reply;
  const int port = std::stoi(base.substr(base.rfind(':') + 1));
  const int fd = ConnectLoopback(port, std::chrono::seconds(5));
  if (fd < 0) return reply;
  // The server may answer (and stop reading) before the whole request is sent.
  for (std::size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  if (half_close) ::shutdown(fd, SHUT_WR);
  std::string in;
  std::size_t header_end = std::string::npos;
  std::size_t content_length = 0;
  char buf[4096];
  while (header_end == std::string::npos || in.size() < header_end + 4 + content_length) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
    if (header_end == std::string::npos &&
        (header_end = in.find("\r\n\r\n")) != std::string::npos) {
      std::istringstream head(in.substr(0, header_end));
      std::string line;
      std::getline(head, line);
      if (line.size() >= 12) reply.status = std::stoi(line.substr(9, 3));
      while (std::getline(head, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        reply.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      }
      if (reply.headers.count("content-length")) {
        content_length = std::stoul(reply.headers["content-length"]);
      }
    }
  }
  ::close(fd);
  if (header_end != std::string::npos) reply.body = in.substr(header_end + 4, content_length);
  return reply;
}

}  // namespace hookbroker::testing
