#include "lab/relay.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <array>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <optional>

#include "core/errors.hpp"
#include "core/jsonl_writer.hpp"
#include "core/stop_signals.hpp"

namespace tlsprobe::lab {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::experimental::awaitable_operators::operator&&;
using Ttl = asio::detail::socket_option::integer<IPPROTO_IP, IP_TTL>;
constexpr auto as_tuple = asio::as_tuple(asio::use_awaitable);

// Copies `from` to `to` until end of stream or an error, and passes the
// way the stream ended on: a FIN becomes a FIN (half close); a reset or any
// other error resets both connections, so each end sees what the path did.
asio::awaitable<void> pump(tcp::socket& from, tcp::socket& to)
{
    std::array<char, 16384> buffer{};
    for (;;) {
        const auto [read_error, n] = co_await from.async_read_some(asio::buffer(buffer), as_tuple);
        if (read_error == asio::error::eof) {
            boost::system::error_code ignored;
            to.shutdown(tcp::socket::shutdown_send, ignored);
            co_return;
        }
        if (read_error) {
            break;
        }
        const auto [write_error, written] = co_await asio::async_write(to, asio::buffer(buffer.data(), n), as_tuple);
        if (write_error) {
            break;
        }
    }
    for (auto* socket : {&from, &to}) {
        boost::system::error_code ignored;
        // Linger 0: close sends a RST instead of a FIN. Closing also ends
        // the other direction's pending read.
        socket->set_option(asio::socket_base::linger(true, 0), ignored);
        socket->close(ignored);
    }
}

boost::json::object tuple_json(const tcp::endpoint& src, const tcp::endpoint& dst)
{
    return {{"src_ip", src.address().to_string()},
            {"src_port", src.port()},
            {"dst_ip", dst.address().to_string()},
            {"dst_port", dst.port()}};
}

asio::awaitable<void> relay_connection(tcp::socket client, const RelayConfig& config, core::JsonlWriter& log)
{
    boost::system::error_code error;
    const auto client_end = client.remote_endpoint(error);
    const auto local_end = client.local_endpoint(error);
    tcp::socket upstream(client.get_executor());
    upstream.open(config.connect.protocol(), error);
    upstream.set_option(Ttl(config.ttl), error);
    // Bind first so the upstream source port is known, and logged, even
    // when the connection attempt never completes.
    upstream.bind(tcp::endpoint(config.source, 0), error);
    if (error) {
        spdlog::warn("relay: cannot open an upstream socket: {}", error.message());
        co_return;
    }
    const auto upstream_end = upstream.local_endpoint(error);
    log.append(boost::json::serialize(boost::json::object{
        {"client", tuple_json(client_end, local_end)},
        {"upstream", tuple_json(upstream_end, config.connect)},
    }));
    const auto [connect_error] = co_await upstream.async_connect(config.connect, as_tuple);
    if (connect_error) {
        spdlog::debug("relay: {} -> {}: {}", fmt::streamed(client_end), fmt::streamed(config.connect), connect_error.message());
        client.set_option(asio::socket_base::linger(true, 0), error);
        co_return;
    }
    co_await (pump(client, upstream) && pump(upstream, client));
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, const RelayConfig& config, core::JsonlWriter& log)
{
    for (;;) {
        auto [error, socket] = co_await acceptor.async_accept(as_tuple);
        if (error == asio::error::operation_aborted) {
            co_return;
        }
        if (error) {
            spdlog::warn("relay: accept: {}", error.message());
            continue;
        }
        asio::co_spawn(acceptor.get_executor(), relay_connection(std::move(socket), config, log), asio::detached);
    }
}

}  // namespace

void run_relay(const RelayConfig& config)
{
    asio::io_context io;
    tcp::acceptor acceptor(io);
    boost::system::error_code error;
    acceptor.open(config.listen.protocol(), error);
    acceptor.set_option(tcp::acceptor::reuse_address(true), error);
    // Accepted sockets inherit it, so the SYN-ACK already carries it.
    acceptor.set_option(Ttl(config.ttl), error);
    if (!error) {
        acceptor.bind(config.listen, error);
    }
    if (!error) {
        acceptor.listen(asio::socket_base::max_listen_connections, error);
    }
    if (error) {
        throw core::EnvironmentError(
            fmt::format("relay: cannot listen on {}: {}", fmt::streamed(config.listen), error.message()));
    }
    // Written line by line: `lab status` reads the log while the relay runs.
    core::JsonlWriter log(config.log, std::chrono::milliseconds(0));
    const core::StopSignals stop_signals;
    // A duplicate, because the descriptor object closes what it holds.
    asio::posix::stream_descriptor signals(io, ::fcntl(stop_signals.fd(), F_DUPFD_CLOEXEC, 0));
    signals.async_wait(asio::posix::stream_descriptor::wait_read, [&](const boost::system::error_code&) { io.stop(); });
    asio::co_spawn(io, accept_loop(acceptor, config, log), asio::detached);
    spdlog::info("relay: {} -> {} with TTL {}", fmt::streamed(config.listen), fmt::streamed(config.connect), config.ttl);
    io.run();
}

}  // namespace tlsprobe::lab
