#include "prober/outcome_rules.hpp"

#include <boost/asio/error.hpp>
#include <fmt/format.h>

namespace tlsprobe::prober {

namespace asio = boost::asio;

namespace {

bool is_local_failure(const boost::system::error_code& ec)
{
    return ec == asio::error::address_in_use || ec == boost::system::errc::address_not_available ||
           ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
           ec == asio::error::access_denied;
}

}  // namespace

Outcome connect_outcome(const boost::system::error_code& ec)
{
    if (ec == asio::error::connection_refused) {
        return Outcome::connect_refused;
    }
    return is_local_failure(ec) ? Outcome::local_error : Outcome::connect_error;
}

// The outcome of a handshake that did not finish, from how the stream stopped.
Outcome handshake_outcome(const StreamResult& result, bool alert_received, bool certificate_rejected,
                          bool peer_not_tls)
{
    switch (result.status) {
    case StreamStatus::timeout:
        return Outcome::handshake_timeout;
    case StreamStatus::eof:
    case StreamStatus::close_notify:
        return Outcome::handshake_eof;
    case StreamStatus::reset:
        return Outcome::handshake_reset;
    case StreamStatus::tls_error:
        if (peer_not_tls && !alert_received) {
            return Outcome::not_tls;
        }
        if (!alert_received && certificate_rejected) {
            return Outcome::cert_error;
        }
        return Outcome::tls_alert;
    case StreamStatus::socket_error:
    case StreamStatus::ok:
        break;
    }
    return Outcome::handshake_reset;
}

bool client_hello_acked(const TcpInfoSnapshot& at_end, std::uint64_t flight_bytes, bool server_bytes_read)
{
    return server_bytes_read || at_end.bytes_acked >= flight_bytes + 1;
}

// The outcome of a failure after the handshake (request or response).
Outcome midstream_outcome(const StreamResult& result)
{
    switch (result.status) {
    case StreamStatus::timeout:
        return Outcome::midstream_timeout;
    case StreamStatus::eof:
    case StreamStatus::close_notify:
        return Outcome::midstream_close;
    case StreamStatus::tls_error:
        return Outcome::tls_alert;
    case StreamStatus::reset:
    case StreamStatus::socket_error:
    case StreamStatus::ok:
        break;
    }
    return Outcome::midstream_reset;
}

std::string_view phase_in_progress(const PhaseTimes& t)
{
    if (!t.connect_start) {
        return "start_lag";
    }
    if (!t.established) {
        return "tcp_connect";
    }
    if (t.client_hello && !t.server_hello) {
        return "server_hello_wait";
    }
    if (!t.handshake_done) {
        return "tls_handshake";
    }
    if (t.request && !t.first_byte) {
        return "time_to_first_byte";
    }
    if (t.first_byte && !t.done) {
        return "response";
    }
    return "close";
}

void mark_interrupted(ProbeRecord& record, std::int64_t now_ns)
{
    const auto since = record.t.connect_start.value_or(record.t.scheduled.value_or(now_ns));
    record.outcome = Outcome::interrupted;
    record.error = fmt::format("interrupted {:.1f} s into the probe, in phase {}",
                               static_cast<double>(now_ns - since) / 1e9, phase_in_progress(record.t));
}

}  // namespace tlsprobe::prober
