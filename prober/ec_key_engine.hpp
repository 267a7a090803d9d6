#pragma once
// A process-wide OpenSSL 3.0 setting that makes decoding the server's EC
// certificate key cheap.
//
// OpenSSL 3.0 decodes every SubjectPublicKeyInfo it parses (each
// certificate the server sends) by building an OSSL_DECODER_CTX, which walks
// every provider's key managers and decoders under locks: about a quarter of
// a client's OpenSSL time per ECDSA handshake. It takes its older, direct
// path (the built-in EC ASN.1 method makes an EC_KEY) when an ENGINE is
// registered for the key type (crypto/x509/x_pubkey.c, x509_pubkey_decode).
// The engine installed here claims EVP_PKEY_EC with OpenSSL's own built-in
// EC method, unchanged: keys, signatures and their verification are computed
// by the same code as before, only not through a provider.
//
// It uses the ENGINE API, deprecated in OpenSSL 3.0 but still supported
// there, and it changes the whole process (every EC key operation after it,
// the ECDHE of P-256 key shares included, goes the legacy way). The fleet
// installs it when it starts (Fleet::run).
namespace tlsprobe::prober {

// Installs the engine; later calls do nothing. Throws core::EnvironmentError
// when OpenSSL refuses it.
void install_ec_key_engine();

}  // namespace tlsprobe::prober
