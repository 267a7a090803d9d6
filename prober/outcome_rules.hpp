#pragma once
// The rules that turn how a probe's socket or TLS stream stopped into a
// client-side outcome (README.md, "Outcomes").
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <string_view>

#include "prober/tls_stream.hpp"
#include "prober/probe_record.hpp"

namespace tlsprobe::prober {

// connect(2) failed: refused, a problem of this host (the tuple is busy,
// out of descriptors), or anything else on the path.
[[nodiscard]] Outcome connect_outcome(const boost::system::error_code& ec);

// The TLS handshake did not finish. `certificate_rejected`: our verification
// of the server's chain failed, which OpenSSL reports as a local error.
// `peer_not_tls`: the server sent bytes and none of them parsed as a TLS
// message (OpenSSL's "wrong version number" on an HTTP or SSH banner).
[[nodiscard]] Outcome handshake_outcome(const StreamResult& result, bool alert_received,
                                        bool certificate_rejected, bool peer_not_tls = false);

// Whether every byte of the ClientHello flight was ACKed, judged at the end
// of a failed handshake: `flight_bytes` is what this side had written when
// the ClientHello was out, so its own later alert does not count as unACKed.
// tcpi_bytes_acked counts the SYN as one byte. Any server byte read means the
// server (or something in its place) got the hello, ACK seen or not.
[[nodiscard]] bool client_hello_acked(const TcpInfoSnapshot& at_end, std::uint64_t flight_bytes,
                                      bool server_bytes_read);

// The request or response failed after the handshake.
[[nodiscard]] Outcome midstream_outcome(const StreamResult& result);

// The phase a probe that has not ended is in, from the timestamps it has:
// the summary's phase names where one fits (start_lag before connect,
// tcp_connect, server_hello_wait, tls_handshake, time_to_first_byte,
// response), and `close` after the exchange (hold, waiting for the server's close).
[[nodiscard]] std::string_view phase_in_progress(const PhaseTimes& t);

// The run stopped while the probe was in flight: the record keeps what it
// has and says where the probe was, `now_ns` on the run's clock.
void mark_interrupted(ProbeRecord& record, std::int64_t now_ns);

}  // namespace tlsprobe::prober
