#include "tools/bench/pki.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace hookbench {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CertFree {
  void operator()(X509* p) const { X509_free(p); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("bench PKI: ") + what);
}

Key NewKey() {
  Key key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EC key generation");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, const_cast<char*>(value)));
  Check(ext != nullptr, "extension");
  Check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

Cert NewCert(EVP_PKEY* key, const char* common_name, X509* issuer) {
  Cert cert(X509_new());
  Check(cert != nullptr, "X509_new");
  Check(X509_set_version(cert.get(), 2) == 1, "version");
  std::unique_ptr<BIGNUM, BnFree> serial(BN_new());
  Check(serial && BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1, "serial");
  Check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr, "serial");
  Check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr, "validity");
  Check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600) != nullptr, "validity");
  X509_NAME* name = X509_get_subject_name(cert.get());
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name), -1, -1,
                                   0) == 1,
        "subject");
  X509* effective_issuer = issuer != nullptr ? issuer : cert.get();
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(effective_issuer)) == 1, "issuer");
  Check(X509_set_pubkey(cert.get(), key) == 1, "pubkey");
  return cert;
}

void Write(const std::string& path, X509* cert, EVP_PKEY* key) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "w"), &std::fclose);
  Check(file != nullptr, "cannot write PEM file");
  if (cert != nullptr) Check(PEM_write_X509(file.get(), cert) == 1, "PEM_write_X509");
  if (key != nullptr) {
    Check(PEM_write_PrivateKey(file.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "PEM_write_PrivateKey");
  }
}

}  // namespace

Pki MakePki(const std::string& dir) {
  Key ca_key = NewKey();
  Cert ca = NewCert(ca_key.get(), "hookbench CA", nullptr);
  AddExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  Check(X509_sign(ca.get(), ca_key.get(), EVP_sha256()) > 0, "sign CA");

  Key leaf_key = NewKey();
  Cert leaf = NewCert(leaf_key.get(), "localhost", ca.get());
  AddExtension(leaf.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(leaf.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
  AddExtension(leaf.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  AddExtension(leaf.get(), ca.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  AddExtension(leaf.get(), ca.get(), NID_subject_key_identifier, "hash");
  AddExtension(leaf.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
  Check(X509_sign(leaf.get(), ca_key.get(), EVP_sha256()) > 0, "sign leaf");

  Pki pki;
  pki.ca_cert = dir + "/ca.pem";
  pki.server_cert = dir + "/server.pem";
  pki.server_key = dir + "/server-key.pem";
  Write(pki.ca_cert, ca.get(), nullptr);
  Write(pki.server_cert, leaf.get(), nullptr);
  Write(pki.server_key, nullptr, leaf_key.get());
  return pki;
}

}  // namespace hookbench
