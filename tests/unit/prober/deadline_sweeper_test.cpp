#include "prober/deadline_sweeper.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <array>
#include <chrono>

namespace tlsprobe::prober {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A connected pair of loopback sockets whose peer never sends.
struct SilentConnection {
    explicit SilentConnection(asio::io_context& io) : client(io), server(io)
    {
        tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
        client.connect(acceptor.local_endpoint());
        server = acceptor.accept();
    }
    tcp::socket client;
    tcp::socket server;
};

struct ReadResult {
    bool ended = false;
    bool timed_out = false;
    std::chrono::steady_clock::duration took{};
};

// Reads from `socket`, whose peer never sends, under a deadline first set to
// `first` and at once moved to `timeout`.
asio::awaitable<void> read_under_deadline(DeadlineSweeper& sweeper, tcp::socket& socket,
                                          std::chrono::milliseconds first, std::chrono::milliseconds timeout,
                                          ReadResult& result)
{
    Deadline deadline(sweeper, socket);
    const auto start = std::chrono::steady_clock::now();
    deadline.expires_after(first);
    deadline.expires_after(timeout);
    std::array<char, 16> buffer{};
    const auto [ec, got] = co_await socket.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    result = {.ended = true,
              .timed_out = ec == asio::error::operation_aborted && deadline.passed(),
              .took = std::chrono::steady_clock::now() - start};
}

TEST(DeadlineSweeper, APassedDeadlineCancelsTheSocketsOperationAndTheLoopThenRunsOut)
{
    DeadlineSweeper sweeper(deadline_resolution);
    asio::io_context io;
    SilentConnection connection(io);
    ReadResult result;
    asio::co_spawn(io, read_under_deadline(sweeper, connection.client, 50ms, 50ms, result), asio::detached);
    const auto start = std::chrono::steady_clock::now();
    io.run_for(10s);
    ASSERT_TRUE(result.ended);
    EXPECT_TRUE(result.timed_out);
    EXPECT_GE(result.took, 50ms);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "the sweeper kept the loop busy";
}

TEST(DeadlineSweeper, AMovedDeadlineDoesNotFireAtItsOldTime)
{
    DeadlineSweeper sweeper(deadline_resolution);
    asio::io_context io;
    SilentConnection connection(io);
    ReadResult result;
    asio::co_spawn(io, read_under_deadline(sweeper, connection.client, 20ms, 300ms, result), asio::detached);
    io.run_for(10s);
    ASSERT_TRUE(result.ended);
    EXPECT_TRUE(result.timed_out);
    EXPECT_GE(result.took, 300ms);
}

TEST(DeadlineSweeper, WithNoDeadlineLeftTheSweeperStopsAndRunReturns)
{
    DeadlineSweeper sweeper(deadline_resolution);
    asio::io_context io;
    SilentConnection connection(io);
    {
        Deadline deadline(sweeper, connection.client);
        deadline.expires_after(1h);
    }
    const auto start = std::chrono::steady_clock::now();
    io.run_for(5s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

}  // namespace
}  // namespace tlsprobe::prober
