#include "tests/support/legacy_tls_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/raw_http.h"

namespace hookbroker::testing {
namespace {

std::string OpenSslError(const std::string& what) {
  char buf[256] = "";
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  return what + ": " + buf;
}

}  // namespace

LegacyTlsServer::LegacyTlsServer(std::string cert_file, std::string key_file, int max_version)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)), max_version_(max_version) {}

LegacyTlsServer::~LegacyTlsServer() {
  Stop();
  if (ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

std::string LegacyTlsServer::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

bool LegacyTlsServer::Start() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ctx_ = ctx;
  auto fail = [this](const std::string& why) {
    std::lock_guard<std::mutex> lock(mu_);
    error_ = why;
    return false;
  };
  if (ctx == nullptr) return fail(OpenSslError("SSL_CTX_new"));
  // Level 0 and the legacy ciphers: without them OpenSSL 3 offers nothing below TLS 1.2.
  SSL_CTX_set_security_level(ctx, 0);
  if (SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0") != 1 ||
      SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, max_version_) != 1) {
    return fail(OpenSslError("protocol settings"));
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file_.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key_file_.c_str(), SSL_FILETYPE_PEM) != 1) {
    return fail(OpenSslError("certificate"));
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 8) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return fail("cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
  return true;
}

void LegacyTlsServer::Stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

void LegacyTlsServer::Serve() {
  SSL_CTX* ctx = static_cast<SSL_CTX*>(ctx_);
  while (!stopping_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    connections_.fetch_add(1);
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    ERR_clear_error();
    if (SSL_accept(ssl) == 1) {
      handshakes_.fetch_add(1);
      char buf[4096];
      SSL_read(ssl, buf, sizeof buf);
      const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      SSL_write(ssl, answer, sizeof answer - 1);
      SSL_shutdown(ssl);
    }
    ERR_clear_error();
    SSL_free(ssl);
    ::close(fd);
  }
}

std::string TryHandshake(int port) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  std::string version;
  const int fd = ConnectLoopback(port, std::chrono::seconds(5));
  if (fd >= 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
      version = SSL_get_version(ssl);
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    ::close(fd);
  }
  ERR_clear_error();
  SSL_CTX_free(ctx);
  return version;
}

}  // namespace hookbroker::testing
