#pragma once
// One direction of a TLS connection as an in-order byte stream: records are
// framed, handshake messages are collected across records until this side's
// hello, and parsing stops at the first encrypted record. Memory is bounded:
// only the hello's handshake bytes are buffered, other records are skipped.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "capture/tls_hello.hpp"

namespace tlsprobe::capture {

// What the stream reports, each with its position in the stream (offset 0 is
// the first payload byte after the SYN).
class TlsHandler {
public:
    virtual void on_client_hello(ClientHello&& hello, std::uint64_t begin, std::uint64_t end) = 0;
    virtual void on_server_hello(const ServerHello& hello, std::uint64_t begin, std::uint64_t end) = 0;
    virtual void on_change_cipher_spec(std::uint64_t at) = 0;
    virtual void on_alert(std::uint8_t level, std::uint8_t description, std::uint64_t at) = 0;
    // The first record that cannot be read in the clear (application data, or
    // anything after ChangeCipherSpec).
    virtual void on_first_encrypted(std::uint64_t at) = 0;
    // The first bytes are not a TLS record header: the connection is not TLS.
    virtual void on_not_tls() = 0;
    // Broken TLS; `error.offset` is a stream offset.
    virtual void on_error(const TlsParseError& error) = 0;

protected:
    ~TlsHandler() = default;
};

class TlsRecordReader {
public:
    // Consumes the next in-order bytes of the stream.
    void feed(std::span<const std::byte> data, TlsHandler& handler);

    // Nothing more to learn from this direction (first encrypted record seen,
    // not TLS, or broken); the caller can stop reassembling it.
    [[nodiscard]] bool finished() const { return state_ != State::records; }
    [[nodiscard]] std::uint64_t position() const { return position_; }
    [[nodiscard]] std::uint32_t records() const { return records_; }

    // Largest handshake message collected while looking for the hello.
    static constexpr std::size_t max_handshake_bytes = 64 * 1024;

private:
    enum class State : std::uint8_t { records, done, not_tls, failed };

    bool take_header(TlsHandler& handler);
    void finish_record(TlsHandler& handler);
    void parse_handshake(TlsHandler& handler);
    void fail(TlsHandler& handler, std::uint64_t at, std::string_view field);

    State state_ = State::records;
    std::uint64_t position_ = 0;
    std::uint32_t records_ = 0;

    std::array<std::byte, 5> header_{};
    std::size_t header_fill_ = 0;
    std::uint8_t record_type_ = 0;
    std::uint64_t record_start_ = 0;
    std::size_t record_remaining_ = 0;
    // First two body bytes of the current record (alert level/description).
    std::array<std::byte, 2> small_body_{};
    std::size_t small_fill_ = 0;
    bool after_change_cipher_spec_ = false;

    bool hello_seen_ = false;
    std::vector<std::byte> handshake_;
    std::uint64_t handshake_start_ = 0;
};

}  // namespace tlsprobe::capture
