// libFuzzer target for the TLS handshake parser on its own: the whole input
// is a handshake message body (without the 4-byte type and length), read as
// a ClientHello and as a ServerHello. Either parses or names a field at an
// offset inside the body; the names of what was parsed are formatted too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "capture/tls_hello.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace tlsprobe::capture;

template <typename T>
void check_error(const Parsed<T>& parsed, std::size_t size)
{
    // A failure points into the body and names the field.
    if (!parsed.value && (parsed.error.offset > size || parsed.error.field.empty())) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto body = tlsprobe::fuzz::bytes_of(data, size);

    const auto client = parse_client_hello(body);
    check_error(client, size);
    if (client.value) {
        (void)tls_version_name(client.value->legacy_version);
        for (const auto version : client.value->supported_versions) {
            (void)tls_version_name(version);
        }
        for (const auto suite : client.value->cipher_suites) {
            (void)code_point(suite);
        }
    }

    const auto server = parse_server_hello(body);
    check_error(server, size);
    if (server.value) {
        (void)tls_version_name(server.value->version());
        (void)code_point(server.value->cipher_suite);
    }
    return 0;
}
