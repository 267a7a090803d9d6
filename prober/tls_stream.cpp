#include "prober/tls_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>

namespace tlsprobe::prober {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Each direction of the BIO pair. OpenSSL allocates both buffers with the
// pair and keeps them for the connection's life, so they are most of what an
// idle held connection costs; 4 KiB takes a typical handshake flight or HTTP
// response in one recv(2). A full TLS record (16 KiB) passes in pieces;
// OpenSSL asks for more until it has it.
constexpr std::size_t bio_pair_bytes = 4096;

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

TlsStream::TlsStream(asio::ip::tcp::socket& socket, SslPtr ssl, asio::steady_timer& deadline,
                     const PhaseClock& clock)
    : socket_(socket), ssl_(std::move(ssl)), deadline_(deadline), clock_(clock)
{
    BIO* internal = nullptr;
    BIO_new_bio_pair(&internal, bio_pair_bytes, &network_, bio_pair_bytes);
    SSL_set_bio(ssl_.get(), internal, internal);
    socket_.non_blocking(true);
}

TlsStream::~TlsStream()
{
    BIO_free(network_);
}

bool TlsStream::deadline_passed() const
{
    return deadline_.expiry() <= asio::steady_timer::clock_type::now();
}

asio::awaitable<StreamResult> TlsStream::wait(asio::socket_base::wait_type type)
{
    auto result = co_await (socket_.async_wait(type, use_tuple) || deadline_.async_wait(use_tuple));
    if (result.index() == 1) {
        co_return StreamResult{StreamStatus::timeout, {}};
    }
    const auto [ec] = std::get<0>(result);
    co_return ec ? socket_failure(ec) : StreamResult{};
}

asio::awaitable<StreamResult> TlsStream::flush()
{
    char* pending = nullptr;
    while (const int available = BIO_nread0(network_, &pending)) {
        if (available < 0) {
            break;
        }
        // Stamped before the call: on a busy host the peer can be scheduled
        // (and answer) between send(2) returning and this thread running again.
        const std::int64_t handed_over_ns = clock_.now_ns();
        boost::system::error_code ec;
        const std::size_t sent = socket_.write_some(asio::buffer(pending, static_cast<std::size_t>(available)), ec);
        if (would_block(ec)) {
            if (auto waited = co_await wait(asio::socket_base::wait_write); !waited.ok()) {
                co_return waited;
            }
            continue;
        }
        if (ec) {
            co_return socket_failure(ec);
        }
        if (!marks_.first_write_ns) {
            marks_.first_write_ns = handed_over_ns;
        }
        marks_.bytes_written += sent;
        BIO_nread(network_, &pending, static_cast<int>(sent));
    }
    co_return StreamResult{};
}

asio::awaitable<StreamResult> TlsStream::fill()
{
    for (;;) {
        if (deadline_passed()) {
            co_return StreamResult{StreamStatus::timeout, {}};
        }
        char* space = nullptr;
        const int room = BIO_nwrite0(network_, &space);
        if (room <= 0) {
            // OpenSSL has not consumed what it was given: nothing to read yet.
            co_return StreamResult{};
        }
        boost::system::error_code ec;
        const std::size_t got = socket_.read_some(asio::buffer(space, static_cast<std::size_t>(room)), ec);
        if (would_block(ec)) {
            if (auto waited = co_await wait(asio::socket_base::wait_read); !waited.ok()) {
                co_return waited;
            }
            continue;
        }
        if (ec) {
            co_return socket_failure(ec);
        }
        if (!marks_.first_read_ns) {
            marks_.first_read_ns = clock_.now_ns();
        }
        marks_.bytes_read += got;
        BIO_nwrite(network_, &space, static_cast<int>(got));
        co_return StreamResult{};
    }
}

// After an SSL_* call: send what OpenSSL produced (a flight, an alert), then
// either feed it more bytes (empty optional: call again) or report why it stopped.
asio::awaitable<StreamResult> TlsStream::after_ssl_call(int result)
{
    const int error = SSL_get_error(ssl_.get(), result);
    if (auto flushed = co_await flush(); !flushed.ok()) {
        co_return flushed;
    }
    switch (error) {
    case SSL_ERROR_WANT_READ:
        co_return co_await fill();
    case SSL_ERROR_WANT_WRITE:
        co_return StreamResult{};
    case SSL_ERROR_ZERO_RETURN:
        co_return StreamResult{StreamStatus::close_notify, {}};
    default:
        co_return StreamResult{StreamStatus::tls_error, openssl_errors()};
    }
}

asio::awaitable<StreamResult> TlsStream::step_handshake()
{
    ERR_clear_error();
    const int result = SSL_do_handshake(ssl_.get());
    if (result == 1) {
        co_return co_await flush();
    }
    co_return co_await after_ssl_call(result);
}

asio::awaitable<StreamResult> TlsStream::start_handshake()
{
    // Returns as soon as the whole first flight is with the kernel, without
    // waiting for the server: the caller snapshots TCP_INFO "at ClientHello"
    // next. A flight larger than the BIO pair (a padded ClientHello) takes
    // more than one SSL_do_handshake call (SSL_ERROR_WANT_WRITE).
    for (;;) {
        ERR_clear_error();
        const int result = SSL_do_handshake(ssl_.get());
        const int error = result == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), result);
        if (auto flushed = co_await flush(); !flushed.ok()) {
            co_return flushed;
        }
        if (error == SSL_ERROR_NONE || error == SSL_ERROR_WANT_READ) {
            co_return StreamResult{};
        }
        if (error != SSL_ERROR_WANT_WRITE) {
            co_return StreamResult{StreamStatus::tls_error, openssl_errors()};
        }
    }
}

asio::awaitable<StreamResult> TlsStream::handshake()
{
    while (!SSL_is_init_finished(ssl_.get())) {
        if (auto step = co_await step_handshake(); !step.ok()) {
            co_return step;
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
            if (auto flushed = co_await flush(); !flushed.ok()) {
                co_return flushed;
            }
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
    ERR_clear_error();
    SSL_shutdown(ssl_.get());
    co_return co_await flush();
}

}  // namespace tlsprobe::prober
