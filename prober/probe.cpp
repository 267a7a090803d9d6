#include "prober/probe.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <span>

#include "core/hex.hpp"
#include "prober/http_response.hpp"
#include "prober/outcome_rules.hpp"
#include "prober/tcp_info.hpp"
#include "prober/tls_stream.hpp"

namespace tlsprobe::prober {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

void record_alert(ProbeRecord& record, const TlsMessages& messages)
{
    const bool received = messages.alert_received >= 0;
    const int alert = received ? messages.alert_received : messages.alert_sent;
    if (alert >= 0) {
        record.alert = SSL_alert_desc_string_long(alert);
        record.alert_from = received ? "server" : "client";
    }
}

// `offered_cert_sha256`: the certificate hash of the session offered for
// resumption; a resumed handshake carries no Certificate message to hash.
void record_tls_facts(ProbeRecord& record, SSL* ssl, const TlsMessages& messages,
                      const std::string& offered_cert_sha256)
{
    record.tls_version = SSL_get_version(ssl);
    record.cipher = SSL_get_cipher_name(ssl);
    if (const char* group = SSL_group_to_name(ssl, static_cast<int>(SSL_get_negotiated_group(ssl)))) {
        record.group = group;
    }
    const unsigned char* alpn = nullptr;
    unsigned int alpn_size = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_size);
    record.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_size);
    record.resumed = SSL_session_reused(ssl) == 1;
    record.server_cert_sha256 = record.resumed ? offered_cert_sha256 : messages.server_cert_sha256;
}

// Reads the HTTP response; returns how the read ended once the response is
// complete (ok) or the stream stopped early.
asio::awaitable<StreamResult> read_response(TlsStream& stream, ProbeRecord& record, const PhaseClock& clock)
{
    std::string response;
    for (;;) {
        auto read = co_await stream.read_some(response);
        const auto progress = http_response_progress(response);
        if (progress.status) {
            record.http_status = *progress.status;
        }
        if (read.ok() && !record.t.first_byte) {
            record.t.first_byte = clock.now_ns();
        }
        if (progress.complete || (!read.ok() && progress.headers_complete &&
                                  (read.status == StreamStatus::eof || read.status == StreamStatus::close_notify))) {
            // Without Content-Length the server's close ends the body.
            record.t.done = clock.now_ns();
            co_return read.ok() ? StreamResult{} : read;
        }
        if (!read.ok()) {
            co_return read;
        }
    }
}

// Waits for the server to close (TLS close_notify or FIN) until the deadline.
asio::awaitable<bool> server_closed(TlsStream& stream)
{
    std::string ignored;
    for (;;) {
        const auto read = co_await stream.read_some(ignored);
        if (!read.ok()) {
            co_return read.status == StreamStatus::eof || read.status == StreamStatus::close_notify ||
                read.status == StreamStatus::reset;
        }
        ignored.clear();
    }
}

// Closes the socket. When the server has not closed first, an abortive close
// (RST) frees the 4-tuple at once: a graceful one would leave it in TIME_WAIT
// on this host and make an immediate re-probe of the same tuple impossible.
void close_socket(tcp::socket& socket, bool server_closed_first)
{
    boost::system::error_code ignored;
    if (!server_closed_first) {
        socket.set_option(asio::socket_base::linger(true, 0), ignored);
    }
    socket.close(ignored);
}

}  // namespace

ProbeRecord new_probe_record(const ProbeEnvironment& env, const ProbeTicket& ticket)
{
    ProbeRecord record;
    record.probe_id = ticket.probe_id;
    record.attempt = ticket.attempt;
    record.src_ip = env.source.to_string();
    record.src_port = ticket.source_port;
    record.dst_ip = env.target.address().to_string();
    record.dst_port = env.target.port();
    record.t.scheduled = ticket.due_ns;
    return record;
}

asio::awaitable<void> run_probe(ProbeEnvironment& env, DeadlineSweeper& deadlines, ProbeRecord& record)
{
    const PhaseClock& clock = env.clock;
    const auto executor = co_await asio::this_coro::executor;
    tcp::socket socket(executor);
    boost::system::error_code ec;
    socket.open(env.target.protocol(), ec);
    if (!ec) {
        // Lets a port whose previous connection sits in TIME_WAIT be bound again.
        socket.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        socket.bind(tcp::endpoint(env.source, record.src_port), ec);
    }
    if (ec) {
        record.outcome = Outcome::local_error;
        record.error = "bind " + record.src_ip + ":" + std::to_string(record.src_port) + ": " + ec.message();
        co_return;
    }

    Deadline deadline(deadlines, socket);
    deadline.expires_after(env.connect_timeout);
    record.t.connect_start = clock.now_ns();
    const auto [connect_ec] = co_await socket.async_connect(env.target, use_tuple);
    if (connect_ec == asio::error::operation_aborted && deadline.passed()) {
        record.outcome = Outcome::connect_timeout;
        record.tcp_at_end = read_tcp_info(socket.native_handle());
        close_socket(socket, false);
        record.t.closed = clock.now_ns();
        co_return;
    }
    if (connect_ec) {
        record.outcome = connect_outcome(connect_ec);
        record.error = "connect: " + connect_ec.message();
        close_socket(socket, false);
        record.t.closed = clock.now_ns();
        co_return;
    }
    record.t.established = clock.now_ns();
    record.src_ip = socket.local_endpoint(ec).address().to_string();

    TlsMessages messages;
    SSL_SESSION* offered = env.resume ? env.resumable.get() : nullptr;
    // Copied now: another probe of this worker may replace env.resumable before this handshake ends.
    const std::string offered_cert_sha256 = offered != nullptr ? env.resumable_cert_sha256 : std::string();
    TlsStream stream(socket, env.tls.new_connection(messages, offered), deadline, clock);
    deadline.expires_after(env.handshake_timeout);
    auto handshake = co_await stream.start_handshake();
    record.t.client_hello = stream.marks().first_write_ns;
    const std::uint64_t client_hello_flight_bytes = stream.marks().bytes_written;
    record.client_hello_bytes = messages.client_hello_bytes;
    record.tcp_at_client_hello = read_tcp_info(socket.native_handle());
    std::array<unsigned char, SSL3_RANDOM_SIZE> random{};
    record.client_random =
        core::to_hex(std::span(random.data(), SSL_get_client_random(stream.ssl(), random.data(), random.size())));
    if (handshake.ok()) {
        handshake = co_await stream.handshake();
    }
    record.t.server_hello = stream.marks().first_read_ns;
    if (!handshake.ok()) {
        const bool server_bytes_read = stream.marks().bytes_read > 0;
        record.outcome = handshake_outcome(handshake, messages.alert_received >= 0,
                                           SSL_get_verify_result(stream.ssl()) != X509_V_OK,
                                           server_bytes_read && !messages.server_spoke_tls);
        record.tcp_at_end = read_tcp_info(socket.native_handle());
        if (record.tcp_at_end && record.t.client_hello) {
            record.client_hello_acked =
                client_hello_acked(*record.tcp_at_end, client_hello_flight_bytes, server_bytes_read);
        }
        record.error = handshake.detail;
        if (record.outcome == Outcome::cert_error) {
            record.error = X509_verify_cert_error_string(SSL_get_verify_result(stream.ssl()));
        }
        record_alert(record, messages);
        close_socket(socket, handshake.status == StreamStatus::eof || handshake.status == StreamStatus::close_notify);
        record.t.closed = clock.now_ns();
        co_return;
    }
    record.t.handshake_done = clock.now_ns();
    record.client_hello_acked = true;
    record_tls_facts(record, stream.ssl(), messages, offered_cert_sha256);

    deadline.expires_after(env.data_timeout);
    StreamResult exchange;
    if (env.request == scenarios::Request::http) {
        exchange = co_await stream.write(env.http_request);
        record.t.request = clock.now_ns();
        if (exchange.ok()) {
            exchange = co_await read_response(stream, record, clock);
        }
    }
    bool closed_by_server = !exchange.ok() && exchange.status != StreamStatus::timeout;
    if (exchange.ok()) {
        record.outcome = Outcome::ok;
        if (env.hold.count() > 0) {
            deadline.clear();
            asio::steady_timer hold(executor, env.hold);
            co_await hold.async_wait(use_tuple);
        }
        if (env.request == scenarios::Request::none) {
            co_await stream.shutdown();
        }
        deadline.expires_after(env.data_timeout);
        closed_by_server = co_await server_closed(stream);
    } else {
        record.outcome = midstream_outcome(exchange);
        record.error = exchange.detail;
        record_alert(record, messages);
    }
    if (env.resume && record.outcome == Outcome::ok) {
        // SSL_free() removes a session from use when this side has not sent
        // close_notify (ssl_clear_bad_session). After a clean exchange that
        // the server closed first we skip close_notify on purpose, and the
        // session is good: say so, or no probe could resume it.
        SSL_set_shutdown(stream.ssl(), SSL_get_shutdown(stream.ssl()) | SSL_SENT_SHUTDOWN);
        if (SSL_SESSION* session = SSL_get1_session(stream.ssl()); session != nullptr) {
            if (SSL_SESSION_is_resumable(session) == 1) {
                env.resumable.reset(session);
                env.resumable_cert_sha256 = record.server_cert_sha256;
            } else {
                SSL_SESSION_free(session);
            }
        }
    }
    record.tcp_at_end = read_tcp_info(socket.native_handle());
    close_socket(socket, closed_by_server);
    record.t.closed = clock.now_ns();
}

}  // namespace tlsprobe::prober
