#include "capture/tls_record_reader.hpp"

#include <algorithm>

#include "capture/byte_reader.hpp"

namespace tlsprobe::capture {

namespace {

constexpr std::uint8_t content_change_cipher_spec = 20;
constexpr std::uint8_t content_alert = 21;
constexpr std::uint8_t content_handshake = 22;
constexpr std::uint8_t content_application_data = 23;
constexpr std::uint8_t content_heartbeat = 24;
constexpr std::uint8_t handshake_client_hello = 1;
constexpr std::uint8_t handshake_server_hello = 2;
// RFC 8446 5.2: a protected record may carry 2^14 + 256 bytes; 5246 allows
// 2^14 + 2048 for TLS 1.2 ciphertext.
constexpr std::size_t max_record_length = 16384 + 2048;

}  // namespace

void TlsRecordReader::fail(TlsHandler& handler, std::uint64_t at, std::string_view field)
{
    state_ = State::failed;
    handshake_.clear();
    handshake_.shrink_to_fit();
    handler.on_error({static_cast<std::size_t>(at), field});
}

bool TlsRecordReader::take_header(TlsHandler& handler)
{
    ByteReader r(header_);
    const std::uint8_t type = *r.u8();
    const std::uint16_t version = *r.u16();
    const std::uint16_t length = *r.u16();
    const bool known = type >= content_change_cipher_spec && type <= content_heartbeat;
    if (!known || (version >> 8U) != 3 || length > max_record_length) {
        if (records_ == 0) {
            state_ = State::not_tls;
            handler.on_not_tls();
        } else {
            fail(handler, record_start_, "tls.record.header");
        }
        return false;
    }
    ++records_;
    if (type == content_application_data || after_change_cipher_spec_) {
        state_ = State::done;
        handshake_.clear();
        handshake_.shrink_to_fit();
        handler.on_first_encrypted(record_start_);
        return false;
    }
    record_type_ = type;
    record_remaining_ = length;
    small_fill_ = 0;
    return true;
}

void TlsRecordReader::feed(std::span<const std::byte> data, TlsHandler& handler)
{
    while (!data.empty() && state_ == State::records) {
        if (header_fill_ < header_.size()) {
            if (header_fill_ == 0) {
                record_start_ = position_;
            }
            const std::size_t n = std::min(header_.size() - header_fill_, data.size());
            std::copy_n(data.begin(), n, header_.begin() + static_cast<std::ptrdiff_t>(header_fill_));
            header_fill_ += n;
            position_ += n;
            data = data.subspan(n);
            if (header_fill_ < header_.size()) {
                return;
            }
            if (!take_header(handler)) {
                return;
            }
            if (record_remaining_ == 0) {
                finish_record(handler);
            }
            continue;
        }
        const std::size_t n = std::min(record_remaining_, data.size());
        const auto body = data.first(n);
        if (record_type_ == content_handshake && !hello_seen_) {
            if (handshake_.empty()) {
                handshake_start_ = record_start_;
            }
            if (handshake_.size() + n > max_handshake_bytes) {
                // The first byte past the limit: where it is does not depend
                // on how the stream was cut into segments.
                fail(handler, position_ + (max_handshake_bytes - handshake_.size()), "tls.handshake.length");
                return;
            }
            handshake_.insert(handshake_.end(), body.begin(), body.end());
        } else if (small_fill_ < small_body_.size()) {
            const std::size_t k = std::min(small_body_.size() - small_fill_, n);
            std::copy_n(body.begin(), k, small_body_.begin() + static_cast<std::ptrdiff_t>(small_fill_));
            small_fill_ += k;
        }
        record_remaining_ -= n;
        position_ += n;
        data = data.subspan(n);
        if (record_remaining_ == 0) {
            finish_record(handler);
        }
    }
}

void TlsRecordReader::finish_record(TlsHandler& handler)
{
    header_fill_ = 0;
    switch (record_type_) {
    case content_change_cipher_spec:
        after_change_cipher_spec_ = true;
        handler.on_change_cipher_spec(record_start_);
        break;
    case content_alert:
        // A plaintext alert is exactly level + description (RFC 8446 6).
        if (small_fill_ == small_body_.size()) {
            handler.on_alert(std::to_integer<std::uint8_t>(small_body_[0]), std::to_integer<std::uint8_t>(small_body_[1]),
                             record_start_);
        } else {
            fail(handler, record_start_, "tls.alert.length");
        }
        break;
    case content_handshake:
        if (!hello_seen_) {
            parse_handshake(handler);
        }
        break;
    default: break;
    }
}

void TlsRecordReader::parse_handshake(TlsHandler& handler)
{
    // Messages before the hello (a HelloRequest) are skipped; the hello ends
    // the search. The record just completed holds the end of any message
    // completed now, so its end offset is position_ minus what follows it.
    std::size_t consumed = 0;
    while (!hello_seen_) {
        ByteReader r(std::span<const std::byte>(handshake_).subspan(consumed));
        auto type = r.u8();
        auto length = r.u24();
        if (!type || !length || r.remaining() < *length) {
            break;
        }
        const auto body = *r.bytes(*length);
        const std::size_t message_end = consumed + 4 + *length;
        const std::uint64_t end = position_ - (handshake_.size() - message_end);
        if (*type == handshake_client_hello) {
            auto hello = parse_client_hello(body);
            if (!hello.value) {
                fail(handler, handshake_start_ + 9 + hello.error.offset, hello.error.field);
                return;
            }
            hello_seen_ = true;
            handler.on_client_hello(std::move(*hello.value), handshake_start_, end);
        } else if (*type == handshake_server_hello) {
            auto hello = parse_server_hello(body);
            if (!hello.value) {
                fail(handler, handshake_start_ + 9 + hello.error.offset, hello.error.field);
                return;
            }
            hello_seen_ = true;
            handler.on_server_hello(*hello.value, handshake_start_, end);
        }
        consumed = message_end;
    }
    if (hello_seen_) {
        handshake_.clear();
        handshake_.shrink_to_fit();
    } else if (consumed > 0) {
        handshake_.erase(handshake_.begin(), handshake_.begin() + static_cast<std::ptrdiff_t>(consumed));
    }
}

}  // namespace tlsprobe::capture
