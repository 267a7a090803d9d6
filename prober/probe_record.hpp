#pragma once
// One line of probes.jsonl: what the client saw of one connection attempt.
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tlsprobe::prober {

// Client-side outcome of an attempt; the rule that produces each one is in
// README.md ("Outcomes").
enum class Outcome {
    ok,
    connect_timeout,
    connect_refused,
    connect_error,
    handshake_timeout,
    handshake_eof,
    handshake_reset,
    tls_alert,
    cert_error,
    not_tls,          // the server answered with bytes that are not TLS
    midstream_reset,
    midstream_close,
    midstream_timeout,
    local_error,
    interrupted,      // the run was stopped while the probe was in flight
};
inline constexpr int outcome_count = static_cast<int>(Outcome::interrupted) + 1;

[[nodiscard]] std::string_view to_string(Outcome outcome);
[[nodiscard]] std::optional<Outcome> outcome_from_string(std::string_view name);
// Whether the outcome says something about the path or the server (as
// opposed to `ok`, a failure of the prober's own host, or a probe the run
// stopped before it ended).
[[nodiscard]] bool is_path_failure(Outcome outcome);
// Whether the attempt says anything of the path: false for `local_error`
// (it never left this host) and `interrupted` (it was cut off undecided).
[[nodiscard]] bool judges_the_path(Outcome outcome);

// TCP_INFO of the probe's socket at one moment.
struct TcpInfoSnapshot {
    std::uint32_t retransmits = 0;   // tcpi_total_retrans: segments retransmitted so far
    std::uint32_t unacked = 0;       // tcpi_unacked: segments in flight, not yet ACKed
    std::uint64_t bytes_acked = 0;   // tcpi_bytes_acked: payload bytes the peer ACKed
    std::uint32_t rtt_us = 0;        // tcpi_rtt: smoothed round-trip time
    std::uint32_t rtt_var_us = 0;    // tcpi_rttvar: its mean deviation
};

// Monotonic nanoseconds since the run started; empty when the phase never happened.
struct PhaseTimes {
    std::optional<std::int64_t> scheduled;       // when the open-loop schedule wanted the probe to start
    std::optional<std::int64_t> connect_start;   // connect(2) issued on the bound socket
    std::optional<std::int64_t> established;     // TCP handshake complete
    std::optional<std::int64_t> client_hello;    // ClientHello handed to the kernel
    std::optional<std::int64_t> server_hello;    // first server handshake bytes read
    std::optional<std::int64_t> handshake_done;  // TLS handshake complete
    std::optional<std::int64_t> request;         // HTTP request handed to the kernel
    std::optional<std::int64_t> first_byte;      // first response byte decrypted
    std::optional<std::int64_t> done;            // response complete
    std::optional<std::int64_t> closed;          // socket closed
};

struct ProbeRecord {
    std::uint64_t probe_id = 0;   // run-unique, in schedule order
    std::uint32_t attempt = 1;    // 1 for the first probe of this 4-tuple in the run, 2 for its repeat, ...
    std::string src_ip;
    std::uint16_t src_port = 0;
    std::string dst_ip;
    std::uint16_t dst_port = 0;
    Outcome outcome = Outcome::ok;
    PhaseTimes t;
    std::optional<TcpInfoSnapshot> tcp_at_client_hello;
    std::optional<TcpInfoSnapshot> tcp_at_end;
    // Every byte of the ClientHello flight was ACKed by something (the server or a middlebox).
    std::optional<bool> client_hello_acked;
    std::uint32_t client_hello_bytes = 0;   // size of the ClientHello message as built
    std::string tls_version;
    std::string cipher;
    std::string group;
    std::string alpn;
    std::string client_random;              // hex, 64 characters
    std::string server_cert_sha256;         // hex of the leaf certificate's DER
    bool resumed = false;
    std::uint16_t http_status = 0;          // status code of the response, 0 when none parsed
    std::string error;                      // errno or OpenSSL text when the outcome is a failure
    std::string alert;                      // TLS alert description, for tls_alert
    std::string alert_from;                 // "server" (received) or "client" (sent)
};

[[nodiscard]] boost::json::object to_json(const ProbeRecord& record);
// Throws core::InputError naming the field that is missing or of the wrong type.
[[nodiscard]] ProbeRecord probe_record_from_json(const boost::json::object& object);

}  // namespace tlsprobe::prober
