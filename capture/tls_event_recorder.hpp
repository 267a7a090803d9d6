#pragma once
// Receives one direction's TLS events and dates them from the segment log.
#include <cstdint>
#include <string_view>

#include "capture/flow_state.hpp"
#include "capture/tls_record_reader.hpp"

namespace tlsprobe::capture {

class TlsEventRecorder final : public TlsHandler {
public:
    // `now_ns`: the time of the packet being fed, for bytes no logged segment covers.
    TlsEventRecorder(Flow& flow, Side side, std::int64_t now_ns) : flow_(flow), side_(side), now_ns_(now_ns) {}

    void on_client_hello(ClientHello&& hello, std::uint64_t begin, std::uint64_t end) override;
    void on_server_hello(const ServerHello& hello, std::uint64_t begin, std::uint64_t end) override;
    void on_change_cipher_spec(std::uint64_t at) override;
    void on_alert(std::uint8_t level, std::uint8_t description, std::uint64_t at) override;
    void on_first_encrypted(std::uint64_t at) override;
    void on_not_tls() override;
    void on_error(const TlsParseError& error) override;

private:
    DirectionRecord& direction();
    // A hello from the wrong side: when the direction was only guessed from
    // the ports, the hello is right and the guess wrong (the caller swaps
    // the sides once this feed is done); with a SYN seen it is an error.
    bool reverse_guess(std::uint64_t at, std::string_view field);
    [[nodiscard]] std::int64_t time_of(std::uint64_t offset) const;
    template <typename Record>
    void date(Record& record, std::uint64_t begin, std::uint64_t end);

    Flow& flow_;
    Side side_;
    std::int64_t now_ns_;
};

}  // namespace tlsprobe::capture
