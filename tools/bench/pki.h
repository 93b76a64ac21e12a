// A throwaway PKI for the HTTPS receiver: a CA (the broker trusts it with --ca-file) and a leaf
// for 127.0.0.1 / localhost signed by it (P-256), written as PEM files.
#pragma once

#include <string>

namespace hookbench {

struct Pki {
  std::string ca_cert;
  std::string server_cert;
  std::string server_key;
};

// Writes ca.pem, server.pem and server-key.pem into `dir`. Throws std::runtime_error.
Pki MakePki(const std::string& dir);

}  // namespace hookbench
