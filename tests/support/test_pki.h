// A throwaway PKI made by the test with OpenSSL: a CA and a server certificate for
// 127.0.0.1, ::1 and localhost signed by it, written as PEM files.
#pragma once

#include <string>

namespace hookbroker::testing {

struct TestPki {
  std::string ca_cert;      // PEM path: trust this (broker --ca-file)
  std::string server_cert;  // PEM path: leaf, SAN IP:127.0.0.1, IP:::1, DNS:localhost
  std::string server_key;   // PEM path
};

struct PkiOptions {
  bool expired = false;      // leaf validity ended yesterday
  bool self_signed = false;  // leaf not signed by the CA (so verification must fail)
  // The names the leaf is valid for (OpenSSL's subjectAltName syntax).
  std::string subject_alt_names = "IP:127.0.0.1,IP:::1,DNS:localhost";
};

// Writes ca.pem, server.pem, server-key.pem into `dir`. Throws std::runtime_error on failure.
TestPki MakeTestPki(const std::string& dir, const PkiOptions& options = {});

}  // namespace hookbroker::testing
