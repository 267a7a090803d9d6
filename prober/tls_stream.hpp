#pragma once
// TLS over a non-blocking Asio TCP socket, driven by hand through a BIO of
// our own.
//
// OpenSSL reads and writes through a BIO whose callbacks call recv(2) and
// send(2) on the socket themselves: the prober sees the exact moments bytes
// leave and reach the kernel (ClientHello out, first server byte in), no
// byte is copied through an intermediate buffer, and a connection holds no
// I/O buffer of its own (OpenSSL's record buffers are given back while idle,
// SSL_MODE_RELEASE_BUFFERS). When a call would block, OpenSSL returns
// SSL_ERROR_WANT_READ/WRITE and the stream waits for the socket, or the
// deadline, in the coroutine.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "prober/deadline_sweeper.hpp"
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
    // Every operation ends with StreamStatus::timeout once `deadline` (of
    // `socket`) passes; the caller moves the deadline per phase.
    TlsStream(boost::asio::ip::tcp::socket& socket, SslPtr ssl, const Deadline& deadline, const PhaseClock& clock);
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

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
    // The BIO's callbacks (BIO_meth_set_write_ex / read_ex): one send(2) or
    // recv(2) each, stamped into marks_.
    static int send_from_openssl(BIO* bio, const char* data, std::size_t size, std::size_t* sent);
    static int receive_for_openssl(BIO* bio, char* data, std::size_t size, std::size_t* received);
    [[nodiscard]] static BIO_METHOD* socket_bio_method();

    boost::asio::awaitable<StreamResult> after_ssl_call(int result);
    boost::asio::awaitable<StreamResult> wait(boost::asio::socket_base::wait_type type);

    boost::asio::ip::tcp::socket& socket_;
    SslPtr ssl_;
    const Deadline& deadline_;
    const PhaseClock& clock_;
    WireMarks marks_;
    // How the socket failed under an OpenSSL call (EOF, reset, another
    // error), told to the caller instead of OpenSSL's own error for it.
    std::optional<StreamResult> socket_end_;
};

}  // namespace tlsprobe::prober
