#include "tests/support/test_pki.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>

namespace hookbroker::testing {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CertFree {
  void operator()(X509* p) const { X509_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct FileClose {
  void operator()(FILE* p) const { std::fclose(p); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

constexpr long kHour = 3600;
constexpr long kDay = 24 * kHour;

[[noreturn]] void Fail(const std::string& what) {
  std::string message = "test PKI: " + what;
  if (unsigned long code = ERR_get_error(); code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    message += ": ";
    message += buf;
  }
  ERR_clear_error();
  throw std::runtime_error(message);
}

void Check(int ok, const char* what) {
  if (ok <= 0) Fail(what);
}

Key NewKey() {
  // P-256: generation is instant (RSA-2048 takes ~100 ms per key) and every TLS stack in use
  // accepts ECDSA certificates.
  Key key(EVP_EC_gen("P-256"));
  if (!key) Fail("EC key generation");
  return key;
}

// A positive random 127-bit serial: unique per certificate, as RFC 5280 asks, so that clients
// caching by issuer+serial never confuse two test runs.
void SetRandomSerial(X509* cert) {
  std::unique_ptr<BIGNUM, BnFree> bn(BN_new());
  if (!bn) Fail("BN_new");
  Check(BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand");
  if (BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    Fail("BN_to_ASN1_INTEGER");
  }
}

void SetName(X509_NAME* name, const char* common_name) {
  Check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("hookbroker tests"), -1,
                                   -1, 0),
        "X509_NAME O");
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0),
        "X509_NAME CN");
}

// `issuer` may be `cert` itself (self-signed).
void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, const_cast<char*>(value)));
  if (!ext) Fail(std::string("extension ") + OBJ_nid2sn(nid) + "=" + value);
  Check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

// An unsigned certificate for `subject_key` named `common_name`, valid [now + not_before_s,
// now + not_after_s], naming `issuer` (nullptr: itself) as its issuer.
Cert NewCert(EVP_PKEY* subject_key, const char* common_name, X509* issuer, long not_before_s,
             long not_after_s) {
  Cert cert(X509_new());
  if (!cert) Fail("X509_new");
  Check(X509_set_version(cert.get(), 2), "X509_set_version");  // 2 means v3
  SetRandomSerial(cert.get());
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before_s) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after_s) == nullptr) {
    Fail("validity");
  }
  SetName(X509_get_subject_name(cert.get()), common_name);
  X509* effective_issuer = issuer != nullptr ? issuer : cert.get();
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(effective_issuer)),
        "X509_set_issuer_name");
  Check(X509_set_pubkey(cert.get(), subject_key), "X509_set_pubkey");
  return cert;
}

void Sign(X509* cert, EVP_PKEY* key) { Check(X509_sign(cert, key, EVP_sha256()), "X509_sign"); }

void WritePem(const std::string& path, const std::function<int(FILE*)>& write, bool secret) {
  std::unique_ptr<FILE, FileClose> file(std::fopen(path.c_str(), "w"));
  if (!file) throw std::runtime_error("test PKI: cannot write " + path);
  // Some TLS stacks refuse group- or world-readable private keys.
  if (secret) chmod(path.c_str(), 0600);
  Check(write(file.get()), ("PEM write " + path).c_str());
  if (std::fflush(file.get()) != 0) throw std::runtime_error("test PKI: cannot write " + path);
}

}  // namespace

TestPki MakeTestPki(const std::string& dir, const PkiOptions& options) {
  // The CA: a self-signed root allowed to sign certificates and nothing else.
  Key ca_key = NewKey();
  Cert ca = NewCert(ca_key.get(), "hookbroker test CA", nullptr, -kHour, 30 * kDay);
  AddExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  Sign(ca.get(), ca_key.get());

  // The server leaf; with options it is made unverifiable in one specific way.
  const long not_before = options.expired ? -30 * kDay : -kHour;
  const long not_after = options.expired ? -kDay : 30 * kDay;
  Key leaf_key = NewKey();
  X509* issuer = options.self_signed ? nullptr : ca.get();
  EVP_PKEY* signer = options.self_signed ? leaf_key.get() : ca_key.get();
  Cert leaf = NewCert(leaf_key.get(), "localhost", issuer, not_before, not_after);
  X509* issuer_cert = options.self_signed ? leaf.get() : ca.get();
  AddExtension(leaf.get(), issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(leaf.get(), issuer_cert, NID_key_usage, "critical,digitalSignature");
  AddExtension(leaf.get(), issuer_cert, NID_ext_key_usage, "serverAuth");
  AddExtension(leaf.get(), issuer_cert, NID_subject_alt_name, options.subject_alt_names.c_str());
  AddExtension(leaf.get(), issuer_cert, NID_subject_key_identifier, "hash");
  if (!options.self_signed) {
    AddExtension(leaf.get(), issuer_cert, NID_authority_key_identifier, "keyid:always");
  }
  Sign(leaf.get(), signer);

  TestPki pki{dir + "/ca.pem", dir + "/server.pem", dir + "/server-key.pem"};
  WritePem(
      pki.ca_cert, [&](FILE* f) { return PEM_write_X509(f, ca.get()); }, false);
  WritePem(
      pki.server_cert, [&](FILE* f) { return PEM_write_X509(f, leaf.get()); }, false);
  // PEM_write_PrivateKey without a cipher writes unencrypted PKCS#8 ("BEGIN PRIVATE KEY").
  WritePem(
      pki.server_key,
      [&](FILE* f) {
        return PEM_write_PrivateKey(f, leaf_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
      },
      true);
  return pki;
}

}  // namespace hookbroker::testing
