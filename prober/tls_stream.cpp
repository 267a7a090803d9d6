#include "prober/tls_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>

namespace tlsprobe::prober {
namespace {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

StreamResult socket_failure(const boost::system::error_code& ec)
{
    if (ec == asio::error::eof) {
        return {StreamStatus::eof, {}};
    }
    if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
        return {StreamStatus::reset, ec.message()};
    }
    return {StreamStatus::socket_error, ec.message()};
}

bool would_block(const boost::system::error_code& ec)
{
    return ec == asio::error::would_block || ec == asio::error::try_again;
}

}  // namespace

std::string_view to_string(StreamStatus status)
{
    switch (status) {
    case StreamStatus::ok:
        return "ok";
    case StreamStatus::timeout:
        return "timeout";
    case StreamStatus::eof:
        return "eof";
    case StreamStatus::close_notify:
        return "close_notify";
    case StreamStatus::reset:
        return "reset";
    case StreamStatus::tls_error:
        return "tls_error";
    case StreamStatus::socket_error:
        break;
    }
    return "socket_error";
}

BIO_METHOD* TlsStream::socket_bio_method()
{
    // Made once per process and never freed: every SSL of every thread shares it.
    static BIO_METHOD* const method = [] {
        BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tlsprobe socket");
        BIO_meth_set_write_ex(made, send_from_openssl);
        BIO_meth_set_read_ex(made, receive_for_openssl);
        // OpenSSL flushes after each flight; every byte is already with the kernel or pending in OpenSSL.
        BIO_meth_set_ctrl(made, [](BIO* /*bio*/, int command, long /*number*/, void* /*pointer*/) -> long {
            return command == BIO_CTRL_FLUSH ? 1 : 0;
        });
        BIO_meth_set_create(made, [](BIO* bio) {
            BIO_set_init(bio, 1);
            return 1;
        });
        return made;
    }();
    return method;
}

TlsStream::TlsStream(asio::ip::tcp::socket& socket, SslPtr ssl, const Deadline& deadline, const PhaseClock& clock)
    : socket_(socket), ssl_(std::move(ssl)), deadline_(deadline), clock_(clock)
{
    BIO* bio = BIO_new(socket_bio_method());
    BIO_set_data(bio, this);
    SSL_set_bio(ssl_.get(), bio, bio);
    // Without read-ahead OpenSSL asks for each record's 5-byte header and its
    // body in two reads: two recv(2) per record instead of one per arrival.
    SSL_set_read_ahead(ssl_.get(), 1);
    socket_.non_blocking(true);
}

int TlsStream::send_from_openssl(BIO* bio, const char* data, std::size_t size, std::size_t* sent)
{
    auto& self = *static_cast<TlsStream*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    // Stamped before the call: on a busy host the peer can be scheduled
    // (and answer) between send(2) returning and this thread running again.
    const std::int64_t handed_over_ns = self.clock_.now_ns();
    boost::system::error_code ec;
    *sent = self.socket_.write_some(asio::buffer(data, size), ec);
    if (would_block(ec)) {
        BIO_set_retry_write(bio);
        return 0;
    }
    if (ec) {
        self.socket_end_ = socket_failure(ec);
        return 0;
    }
    if (!self.marks_.first_write_ns) {
        self.marks_.first_write_ns = handed_over_ns;
    }
    self.marks_.bytes_written += *sent;
    return 1;
}

int TlsStream::receive_for_openssl(BIO* bio, char* data, std::size_t size, std::size_t* received)
{
    auto& self = *static_cast<TlsStream*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    // A peer that keeps sending would never let a read block: past the
    // deadline, reads stop as if nothing came, and the wait that follows
    // reports the timeout.
    if (self.deadline_.passed()) {
        BIO_set_retry_read(bio);
        return 0;
    }
    boost::system::error_code ec;
    *received = self.socket_.read_some(asio::buffer(data, size), ec);
    if (would_block(ec)) {
        BIO_set_retry_read(bio);
        return 0;
    }
    if (ec) {
        self.socket_end_ = socket_failure(ec);
        return 0;
    }
    if (!self.marks_.first_read_ns) {
        self.marks_.first_read_ns = self.clock_.now_ns();
    }
    self.marks_.bytes_read += *received;
    return 1;
}

// The deadline's sweeper cancels the wait once the deadline has passed.
asio::awaitable<StreamResult> TlsStream::wait(asio::socket_base::wait_type type)
{
    if (deadline_.passed()) {
        co_return StreamResult{StreamStatus::timeout, {}};
    }
    const auto [ec] = co_await socket_.async_wait(type, use_tuple);
    if (deadline_.passed()) {
        co_return StreamResult{StreamStatus::timeout, {}};
    }
    co_return ec ? socket_failure(ec) : StreamResult{};
}

// After an SSL_* call that did not succeed: wait until the socket can take
// or give what OpenSSL needs (ok: call again), or report why it stopped. A
// socket failure under the call (EOF, reset) is told as itself, not as the
// TLS error OpenSSL makes of it.
asio::awaitable<StreamResult> TlsStream::after_ssl_call(int result)
{
    switch (SSL_get_error(ssl_.get(), result)) {
    case SSL_ERROR_WANT_READ:
        co_return co_await wait(asio::socket_base::wait_read);
    case SSL_ERROR_WANT_WRITE:
        co_return co_await wait(asio::socket_base::wait_write);
    case SSL_ERROR_ZERO_RETURN:
        co_return StreamResult{StreamStatus::close_notify, {}};
    default:
        if (socket_end_) {
            co_return *socket_end_;
        }
        co_return StreamResult{StreamStatus::tls_error, openssl_errors()};
    }
}

asio::awaitable<StreamResult> TlsStream::start_handshake()
{
    // Returns as soon as the whole first flight is with the kernel, without
    // waiting for the server: the caller snapshots TCP_INFO "at ClientHello"
    // next. OpenSSL asks to read (SSL_ERROR_WANT_READ) only once it has
    // written all of the flight; a flight the socket cannot take at once (a
    // padded ClientHello) takes more than one call (SSL_ERROR_WANT_WRITE).
    for (;;) {
        ERR_clear_error();
        const int result = SSL_do_handshake(ssl_.get());
        if (result == 1 || SSL_get_error(ssl_.get(), result) == SSL_ERROR_WANT_READ) {
            co_return StreamResult{};
        }
        if (auto waited = co_await after_ssl_call(result); !waited.ok()) {
            co_return waited;
        }
    }
}

asio::awaitable<StreamResult> TlsStream::handshake()
{
    while (!SSL_is_init_finished(ssl_.get())) {
        ERR_clear_error();
        const int result = SSL_do_handshake(ssl_.get());
        if (result == 1) {
            break;
        }
        if (auto waited = co_await after_ssl_call(result); !waited.ok()) {
            co_return waited;
        }
    }
    co_return StreamResult{};
}

asio::awaitable<StreamResult> TlsStream::write(std::string_view data)
{
    while (!data.empty()) {
        ERR_clear_error();
        std::size_t written = 0;
        const int result = SSL_write_ex(ssl_.get(), data.data(), data.size(), &written);
        if (result == 1) {
            data.remove_prefix(written);
            continue;
        }
        if (auto serviced = co_await after_ssl_call(result); !serviced.ok()) {
            co_return serviced;
        }
    }
    co_return StreamResult{};
}

asio::awaitable<StreamResult> TlsStream::read_some(std::string& out)
{
    std::array<char, 4096> buffer;
    for (;;) {
        ERR_clear_error();
        std::size_t got = 0;
        const int result = SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &got);
        if (result == 1) {
            out.append(buffer.data(), got);
            co_return StreamResult{};
        }
        if (auto serviced = co_await after_ssl_call(result); !serviced.ok()) {
            co_return serviced;
        }
    }
}

asio::awaitable<StreamResult> TlsStream::shutdown()
{
    for (;;) {
        ERR_clear_error();
        const int result = SSL_shutdown(ssl_.get());
        if (result >= 0) {
            co_return StreamResult{};
        }
        if (auto waited = co_await after_ssl_call(result); !waited.ok()) {
            co_return waited;
        }
    }
}

}  // namespace tlsprobe::prober
