#include "prober/deadline_sweeper.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tlsprobe::prober {

namespace asio = boost::asio;

DeadlineSweeper::Entries::iterator DeadlineSweeper::add(clock::time_point expiry, Deadline& deadline,
                                                        asio::ip::tcp::socket& socket)
{
    const auto entry = entries_.emplace(expiry, &deadline);
    if (!sweeping_) {
        sweeping_ = true;
        asio::co_spawn(socket.get_executor(), sweep(), asio::detached);
    }
    return entry;
}

// Runs while any deadline is set, so an io_context with nothing else to do
// still returns from run().
asio::awaitable<void> DeadlineSweeper::sweep()
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!entries_.empty()) {
        timer.expires_after(resolution_);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        const auto now = clock::now();
        for (auto entry = entries_.begin(); entry != entries_.end() && entry->first <= now; ++entry) {
            boost::system::error_code ignored;
            entry->second->socket_.cancel(ignored);
        }
    }
    sweeping_ = false;
}

void Deadline::expires_after(DeadlineSweeper::clock::duration timeout)
{
    clear();
    entry_ = sweeper_.add(DeadlineSweeper::clock::now() + timeout, *this, socket_);
}

bool Deadline::passed() const
{
    return entry_ && (*entry_)->first <= DeadlineSweeper::clock::now();
}

void Deadline::clear()
{
    if (entry_) {
        sweeper_.remove(*entry_);
        entry_.reset();
    }
}

}  // namespace tlsprobe::prober
