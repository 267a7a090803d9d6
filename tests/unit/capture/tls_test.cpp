#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capture/tls_hello.hpp"
#include "capture/tls_record_reader.hpp"
#include "core/hex.hpp"
#include "tests/unit/capture/wire_builder.hpp"

namespace tlsprobe::capture {
namespace {

using namespace test;

struct Recorded final : TlsHandler {
    std::vector<std::string> events;
    std::optional<ClientHello> client_hello;
    std::optional<ServerHello> server_hello;
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    std::optional<TlsParseError> error;

    void on_client_hello(ClientHello&& hello, std::uint64_t b, std::uint64_t e) override
    {
        client_hello = std::move(hello);
        begin = b;
        end = e;
        events.push_back("client_hello");
    }
    void on_server_hello(const ServerHello& hello, std::uint64_t b, std::uint64_t e) override
    {
        server_hello = hello;
        begin = b;
        end = e;
        events.push_back("server_hello");
    }
    void on_change_cipher_spec(std::uint64_t at) override { events.push_back("ccs@" + std::to_string(at)); }
    void on_alert(std::uint8_t level, std::uint8_t description, std::uint64_t at) override
    {
        events.push_back("alert " + std::to_string(level) + "/" + std::to_string(description) + "@" + std::to_string(at));
    }
    void on_first_encrypted(std::uint64_t at) override { events.push_back("encrypted@" + std::to_string(at)); }
    void on_not_tls() override { events.push_back("not_tls"); }
    void on_error(const TlsParseError& e) override
    {
        error = e;
        events.push_back("error");
    }
};

TEST(ClientHello, FieldsAreExtracted)
{
    ClientHelloSpec spec;
    spec.random = random_of(0x40);
    const auto parsed = parse_client_hello(client_hello_body(spec));
    ASSERT_TRUE(parsed.value.has_value()) << parsed.error.field;
    const ClientHello& h = *parsed.value;
    EXPECT_EQ(core::to_hex(h.random), "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f");
    EXPECT_EQ(h.sni, "probe.example");
    EXPECT_EQ(h.supported_versions, (std::vector<std::uint16_t>{0x0304, 0x0303}));
    EXPECT_EQ(h.cipher_suites, (std::vector<std::uint16_t>{0x1301, 0x1302, 0xc02f}));
    EXPECT_EQ(h.groups, (std::vector<std::uint16_t>{0x001d, 0x0017}));
}

TEST(ClientHello, ANameWithBytesOutsidePrintableAsciiIsEscaped)
{
    ClientHelloSpec spec;
    const std::string sni = "caf\xc3\xa9\\x\n.example";
    spec.sni = sni;
    const auto parsed = parse_client_hello(client_hello_body(spec));
    ASSERT_TRUE(parsed.value.has_value()) << parsed.error.field;
    EXPECT_EQ(parsed.value->sni, R"(caf\xc3\xa9\x5cx\x0a.example)");
}

TEST(ClientHello, ACutBodyNamesTheField)
{
    const Bytes body = client_hello_body(ClientHelloSpec{});
    const auto parsed = parse_client_hello(std::span<const std::byte>(body).first(40));
    EXPECT_FALSE(parsed.value.has_value());
    EXPECT_EQ(parsed.error.field, "client_hello.cipher_suites");
    // After the list's length prefix (offset 35), where its body should be.
    EXPECT_EQ(parsed.error.offset, 37U);
}

TEST(ServerHello, Tls13VersionAndHelloRetryRequest)
{
    const Bytes record = server_hello_record(random_of(1), 0x1302, 0x0304);
    // record header 5 + handshake header 4
    const auto parsed = parse_server_hello(std::span<const std::byte>(record).subspan(9));
    ASSERT_TRUE(parsed.value.has_value());
    EXPECT_EQ(parsed.value->version(), 0x0304);
    EXPECT_EQ(parsed.value->cipher_suite, 0x1302);
    EXPECT_FALSE(parsed.value->hello_retry_request);

    const std::array<unsigned char, 32> hrr{0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
                                            0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
                                            0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
    const Bytes retry = server_hello_record(hrr);
    EXPECT_TRUE(parse_server_hello(std::span<const std::byte>(retry).subspan(9)).value->hello_retry_request);
}

TEST(VersionNames, KnownGreaseAndOther)
{
    EXPECT_EQ(tls_version_name(0x0304), "TLSv1.3");
    EXPECT_EQ(tls_version_name(0x0303), "TLSv1.2");
    EXPECT_EQ(tls_version_name(0x3a3a), "grease");
    EXPECT_EQ(tls_version_name(0x7f17), "0x7f17");
}

TEST(TlsRecordReader, HelloFedOneByteAtATime)
{
    const Bytes record = client_hello_record(ClientHelloSpec{});
    TlsRecordReader stream;
    Recorded seen;
    for (const std::byte b : record) {
        stream.feed(std::span<const std::byte>(&b, 1), seen);
    }
    ASSERT_EQ(seen.events, (std::vector<std::string>{"client_hello"}));
    EXPECT_EQ(seen.begin, 0U);
    EXPECT_EQ(seen.end, record.size());
    EXPECT_EQ(seen.client_hello->sni, "probe.example");
}

TEST(TlsRecordReader, HelloSplitAcrossTwoRecords)
{
    const Bytes message = handshake_message(1, client_hello_body(ClientHelloSpec{}));
    const auto half = static_cast<std::ptrdiff_t>(message.size() / 2);
    Bytes stream_bytes = tls_record(22, Bytes(message.begin(), message.begin() + half));
    append(stream_bytes, tls_record(22, Bytes(message.begin() + half, message.end())));
    TlsRecordReader stream;
    Recorded seen;
    stream.feed(stream_bytes, seen);
    ASSERT_EQ(seen.events, (std::vector<std::string>{"client_hello"}));
    EXPECT_EQ(seen.end, stream_bytes.size());
}

TEST(TlsRecordReader, AlertsChangeCipherSpecAndTheFirstEncryptedRecord)
{
    Bytes bytes = server_hello_record(random_of(2));
    const auto hello_size = bytes.size();
    append(bytes, tls_record(20, bytes_of({1})));
    append(bytes, tls_record(23, filled(40, 0xaa)));
    TlsRecordReader stream;
    Recorded seen;
    stream.feed(bytes, seen);
    EXPECT_EQ(seen.events, (std::vector<std::string>{"server_hello", "ccs@" + std::to_string(hello_size),
                                                     "encrypted@" + std::to_string(hello_size + 6)}));
    EXPECT_TRUE(stream.finished());

    TlsRecordReader alerting;
    Recorded alert;
    alerting.feed(tls_record(21, bytes_of({2, 40})), alert);
    EXPECT_EQ(alert.events, (std::vector<std::string>{"alert 2/40@0"}));
}

TEST(TlsRecordReader, PlainHttpIsNotTls)
{
    TlsRecordReader stream;
    Recorded seen;
    stream.feed(text("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), seen);
    EXPECT_EQ(seen.events, (std::vector<std::string>{"not_tls"}));
    EXPECT_TRUE(stream.finished());
}

TEST(TlsRecordReader, BrokenHelloIsAnErrorWithItsStreamOffset)
{
    Bytes body = client_hello_body(ClientHelloSpec{});
    body.resize(38);  // inside the cipher suite list
    Bytes bytes = tls_record(22, handshake_message(1, body));
    TlsRecordReader stream;
    Recorded seen;
    stream.feed(bytes, seen);
    ASSERT_TRUE(seen.error.has_value());
    EXPECT_EQ(seen.error->field, "client_hello.cipher_suites");
    EXPECT_EQ(seen.error->offset, 9U + 37U);
}

TEST(TlsRecordReader, AnOversizedHandshakeFailsAtTheSameOffsetHoweverTheStreamIsCut)
{
    // A handshake message that claims 16 MiB, in records of 16000 bytes:
    // buffering stops at the first byte past max_handshake_bytes, which is
    // in the fifth record, wherever the segments happened to end.
    Bytes message = filled(5 * 16000, 0);
    message[0] = std::byte{1};
    message[1] = message[2] = message[3] = std::byte{0xff};
    Bytes bytes;
    for (std::size_t i = 0; i < 5; ++i) {
        const auto from = message.begin() + static_cast<std::ptrdiff_t>(i * 16000);
        append(bytes, tls_record(22, Bytes(from, from + 16000)));
    }
    const std::size_t expected = 4 * (5 + 16000) + 5 + (TlsRecordReader::max_handshake_bytes - 4 * 16000);
    for (const std::size_t chunk : {bytes.size(), std::size_t{1000}, std::size_t{1}}) {
        TlsRecordReader stream;
        Recorded seen;
        for (std::size_t at = 0; at < bytes.size(); at += chunk) {
            stream.feed(std::span<const std::byte>(bytes).subspan(at, std::min(chunk, bytes.size() - at)), seen);
        }
        ASSERT_TRUE(seen.error.has_value()) << "chunk " << chunk;
        EXPECT_EQ(seen.error->field, "tls.handshake.length");
        EXPECT_EQ(seen.error->offset, expected) << "chunk " << chunk;
    }
}

}  // namespace
}  // namespace tlsprobe::capture
