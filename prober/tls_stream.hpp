#pragma once
// TLS over a non-blocking Asio TCP socket, driven by hand through a BIO pair.
//
// OpenSSL reads and writes a memory BIO; this class moves bytes between that
// BIO and the socket. Owning the socket I/O lets the prober see the exact
// moments bytes reach and leave the kernel (ClientHello out, first server
// byte in) and reads/writes straight into the BIO's buffer, so an idle
// connection holds no I/O buffer of its own.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "prober/openssl_handles.hpp"
#include "prober/phase_clock.hpp"

namespace tlsprobe::prober {

enum class StreamStatus {
    ok,
    timeout,        // the deadline timer expired first
    eof,            // the peer closed TCP (FIN) without a TLS close_notify
    close_notify,   // the peer sent a TLS close_notify
    reset,          // the peer reset the connection (ECONNRESET / EPIPE)
    tls_error,      // OpenSSL refused the peer's bytes or the handshake
    socket_error,   // any other socket failure
};
[[nodiscard]] std::string_view to_string(StreamStatus status);

struct StreamResult {
    StreamStatus status = StreamStatus::ok;
    std::string detail;   // errno or OpenSSL text for failures
    [[nodiscard]] bool ok() const { return status == StreamStatus::ok; }
};

// What crossed the socket, on the run's phase clock.
struct WireMarks {
    std::optional<std::int64_t> first_write_ns;   // just before the send(2) that took the first bytes
    std::optional<std::int64_t> first_read_ns;    // just after the recv(2) that returned the first bytes
    std::uint64_t bytes_written = 0;
    std::uint64_t bytes_read = 0;
};

class TlsStream {
public:
    // Every operation ends with StreamStatus::timeout once `deadline` expires;
    // the caller moves the deadline per phase.
    TlsStream(boost::asio::ip::tcp::socket& socket, SslPtr ssl, boost::asio::steady_timer& deadline,
              const PhaseClock& clock);
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;
    ~TlsStream();

    // Builds the first flight, hands all of it to the kernel and returns
    // without waiting for the peer. On a client that is the ClientHello; the
    // caller can timestamp it and snapshot TCP_INFO.
    boost::asio::awaitable<StreamResult> start_handshake();
    boost::asio::awaitable<StreamResult> handshake();
    boost::asio::awaitable<StreamResult> write(std::string_view data);
    // Appends decrypted bytes (at least one on success) to `out`.
    boost::asio::awaitable<StreamResult> read_some(std::string& out);
    // Sends close_notify; does not wait for the peer's.
    boost::asio::awaitable<StreamResult> shutdown();

    [[nodiscard]] SSL* ssl() const { return ssl_.get(); }
    [[nodiscard]] const WireMarks& marks() const { return marks_; }

private:
    boost::asio::awaitable<StreamResult> step_handshake();
    boost::asio::awaitable<StreamResult> after_ssl_call(int result);
    boost::asio::awaitable<StreamResult> flush();
    boost::asio::awaitable<StreamResult> fill();
    boost::asio::awaitable<StreamResult> wait(boost::asio::socket_base::wait_type type);
    [[nodiscard]] bool deadline_passed() const;

    boost::asio::ip::tcp::socket& socket_;
    SslPtr ssl_;
    BIO* network_ = nullptr;   // our end of the pair; the SSL owns the other
    boost::asio::steady_timer& deadline_;
    const PhaseClock& clock_;
    WireMarks marks_;
};

}  // namespace tlsprobe::prober
