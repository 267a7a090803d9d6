#include "prober/responder.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <openssl/pem.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <thread>

#include "core/atomic_file.hpp"
#include "prober/certificate.hpp"
#include "core/stop_signals.hpp"
#include "prober/tls_stream.hpp"
#include "core/errors.hpp"

namespace tlsprobe::prober {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr std::string_view http_response =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

int select_http11(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                  unsigned int inlen, void* /*arg*/)
{
    static constexpr unsigned char supported[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned char* selected = nullptr;
    if (SSL_select_next_proto(&selected, outlen, supported, sizeof supported, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

template <typename Handle, auto Read>
Handle read_pem(const std::filesystem::path& path, const std::string& field)
{
    std::unique_ptr<FILE, OpenSslDeleter<std::fclose>> file(std::fopen(path.c_str(), "r"));
    if (!file) {
        throw core::UsageError(field, ": cannot open " + path.string());
    }
    Handle handle(Read(file.get(), nullptr, nullptr, nullptr));
    if (!handle) {
        throw core::UsageError(field, ": " + path.string() + " holds no PEM " +
                                          (field == "cert" ? "certificate" : "private key"));
    }
    return handle;
}

SslCtxPtr server_context(const ResponderConfig& config)
{
    KeyAndCertificate identity;
    if (config.cert_file) {
        identity.certificate = read_pem<X509Ptr, PEM_read_X509>(*config.cert_file, "cert");
        identity.key = read_pem<EvpPkeyPtr, PEM_read_PrivateKey>(*config.key_file, "key");
    } else {
        std::vector<std::string> addresses;
        for (const auto& endpoint : config.listen) {
            addresses.push_back(endpoint.host);
        }
        identity = make_self_signed(addresses);
        if (config.cert_out) {
            try {
                core::write_file_atomically(*config.cert_out, certificate_pem(identity.certificate.get()));
            } catch (const core::EnvironmentError& error) {
                // A path the user named that cannot take the file is a wrong flag value.
                throw core::UsageError("cert_out", std::string(": ") + error.what());
            }
        }
    }
    SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
    SSL_CTX* ctx = context.get();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    // One ticket per connection is enough for `run --resume`; the default two cost a signature-free but needless record.
    SSL_CTX_set_num_tickets(ctx, 1);
    if (SSL_CTX_use_certificate(ctx, identity.certificate.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, identity.key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        throw core::UsageError("`cert`/`key`: the key does not match the certificate: " + openssl_errors());
    }
    SSL_CTX_set_alpn_select_cb(ctx, select_http11, nullptr);
    return context;
}

// Discards whatever the client sent, so that closing sends a FIN: Linux
// answers a close() with unread data by a RST (RFC 2525, section 2.17).
void drain(tcp::socket& socket)
{
    std::array<char, 4096> sink;
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    while (!ec) {
        socket.read_some(asio::buffer(sink), ec);
    }
}

// Sends our FIN first, then gives the client until the deadline to close
// its side (the deadline's sweeper cancels the read).
asio::awaitable<void> close_first(tcp::socket& socket, const Deadline& deadline)
{
    boost::system::error_code ec;
    drain(socket);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 512> sink;
    while (!deadline.passed()) {
        const auto [read_ec, got] = co_await socket.async_read_some(asio::buffer(sink), use_tuple);
        if (read_ec) {
            break;
        }
    }
    socket.close(ec);
}

void abort_connection(tcp::socket& socket)
{
    boost::system::error_code ec;
    socket.set_option(asio::socket_base::linger(true, 0), ec);
    socket.close(ec);
}

// Reads until the end of the request headers, or until the client ends the
// session (close_notify or FIN): a client run with `--request none`.
asio::awaitable<StreamResult> read_request(TlsStream& stream)
{
    std::string request;
    for (;;) {
        auto read = co_await stream.read_some(request);
        if (!read.ok() || request.find("\r\n\r\n") != std::string::npos) {
            co_return read;
        }
    }
}

asio::awaitable<void> serve_connection(tcp::socket socket, SSL_CTX* context, const ResponderConfig& config,
                                       const PhaseClock& clock, DeadlineSweeper& deadlines)
{
    Deadline deadline(deadlines, socket);
    if (config.behaviour == ServerBehaviour::silent) {
        asio::steady_timer silence(socket.get_executor(), config.handshake_timeout);
        co_await silence.async_wait(use_tuple);
        deadline.expires_after(config.data_timeout);
        co_await close_first(socket, deadline);
        co_return;
    }
    deadline.expires_after(config.handshake_timeout);
    SslPtr ssl(SSL_new(context));
    SSL_set_accept_state(ssl.get());
    TlsStream stream(socket, std::move(ssl), deadline, clock);
    if (const auto handshake = co_await stream.handshake(); !handshake.ok()) {
        spdlog::debug("handshake failed: {} {}", to_string(handshake.status), handshake.detail);
        abort_connection(socket);
        co_return;
    }
    deadline.expires_after(config.data_timeout);
    switch (config.behaviour) {
    case ServerBehaviour::reset_after_handshake:
        abort_connection(socket);
        co_return;
    case ServerBehaviour::close_after_handshake:
        co_await stream.shutdown();
        break;
    case ServerBehaviour::normal:
    case ServerBehaviour::silent:
        if (const auto request = co_await read_request(stream); request.ok()) {
            co_await stream.write(http_response);
        } else if (request.status == StreamStatus::timeout || request.status == StreamStatus::reset) {
            abort_connection(socket);
            co_return;
        }
        co_await stream.shutdown();
        break;
    }
    co_await close_first(socket, deadline);
}

// Accepts on one socket per address and hands each connection to the next
// thread's io_context in turn: a single listener, so a second server on the
// same address fails to bind instead of silently sharing the port.
// A thread that serves connections: its io_context's executor and the
// sweeper of its connections' deadlines.
struct ServingThread {
    asio::any_io_executor executor;
    DeadlineSweeper* deadlines;
};

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::vector<ServingThread> threads,
                                  SSL_CTX* context, const ResponderConfig& config, const PhaseClock& clock)
{
    asio::steady_timer backoff(acceptor.get_executor());
    for (std::size_t next = 0;; next = (next + 1) % threads.size()) {
        auto [ec, socket] = co_await acceptor.async_accept(threads[next].executor, use_tuple);
        if (ec == asio::error::operation_aborted) {
            co_return;
        }
        if (ec) {
            // Out of descriptors or memory: pause instead of spinning on the error.
            spdlog::warn("accept on {}: {}", acceptor.local_endpoint().port(), ec.message());
            backoff.expires_after(std::chrono::milliseconds(50));
            co_await backoff.async_wait(use_tuple);
            continue;
        }
        asio::co_spawn(threads[next].executor,
                       serve_connection(std::move(socket), context, config, clock, *threads[next].deadlines),
                       asio::detached);
    }
}

std::unique_ptr<tcp::acceptor> open_acceptor(asio::io_context& io, const tcp::endpoint& endpoint)
{
    auto acceptor = std::make_unique<tcp::acceptor>(io);
    boost::system::error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor->bind(endpoint, ec);
    }
    if (!ec) {
        acceptor->listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        throw core::EnvironmentError("listen", fmt::format(": cannot listen on {}:{}: {}",
                                                           endpoint.address().to_string(), endpoint.port(),
                                                           ec.message()));
    }
    return acceptor;
}

}  // namespace

std::string_view to_string(ServerBehaviour behaviour)
{
    return scenarios::name_of(server_behaviour_names, behaviour);
}

void serve(const ResponderConfig& config)
{
    const core::StopSignals stop_signals;

    const SslCtxPtr context = server_context(config);
    const PhaseClock clock;
    const unsigned count = config.threads != 0 ? config.threads : std::max(1U, std::thread::hardware_concurrency());
    // Made before the io_contexts, so they outlive the connections destroyed with them.
    std::vector<std::unique_ptr<DeadlineSweeper>> sweepers;
    std::vector<std::unique_ptr<asio::io_context>> ios;
    std::vector<ServingThread> serving;
    for (unsigned i = 0; i < count; ++i) {
        sweepers.push_back(std::make_unique<DeadlineSweeper>(deadline_resolution));
        ios.push_back(std::make_unique<asio::io_context>(1));
        serving.push_back({ios.back()->get_executor(), sweepers.back().get()});
    }
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    for (const auto& listen : config.listen) {
        acceptors.push_back(open_acceptor(*ios.front(), {asio::ip::make_address(listen.host), listen.port}));
        const auto endpoint = acceptors.back()->local_endpoint();
        const auto address = endpoint.address();
        fmt::print("listening {}:{}\n", address.is_v6() ? "[" + address.to_string() + "]" : address.to_string(),
                   endpoint.port());
    }
    std::fflush(stdout);
    spdlog::info("serving with behaviour {} on {} thread(s)", to_string(config.behaviour), count);

    for (auto& acceptor : acceptors) {
        asio::co_spawn(*ios.front(), accept_loop(*acceptor, serving, context.get(), config, clock), asio::detached);
    }
    // Without this an idle thread's io_context would return at once.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
    std::vector<std::thread> threads;
    for (auto& io : ios) {
        keep_running.push_back(asio::make_work_guard(*io));
        threads.emplace_back([&io = *io] { io.run(); });
    }
    const auto stop_at = config.duration ? std::optional(PhaseClock::clock::now() + *config.duration) : std::nullopt;
    while (!stop_signals.received(std::chrono::milliseconds(200)) &&
           !(stop_at && PhaseClock::clock::now() >= *stop_at)) {
    }
    for (auto& io : ios) {
        io->stop();
    }
    for (auto& thread : threads) {
        thread.join();
    }
}

}  // namespace tlsprobe::prober
