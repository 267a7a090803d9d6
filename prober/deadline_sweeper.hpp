#pragma once
// Phase deadlines of many connections on one thread, checked by one timer.
//
// Racing each socket operation against a steady_timer of its own made Asio
// re-arm its timerfd (timerfd_settime) about three times per probe, as
// deadlines were set and their waits cancelled. A DeadlineSweeper instead
// keeps the deadlines of its connections in one ordered map and, while any is
// set, wakes every `resolution` to cancel the socket operations of those that
// have passed (again at each wake, until their owner moves on, so an
// operation started just after a sweep is not missed). A cancelled operation
// ends with operation_aborted, and its owner asks its Deadline whether that
// was the timeout. A deadline so fires up to `resolution` late.
//
// Single-threaded: a sweeper, its deadlines and their sockets belong to one
// io_context's thread. The sweeper must outlive that io_context (declare it
// before), because coroutine frames destroyed with the io_context unregister
// their deadlines.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <map>
#include <optional>

namespace tlsprobe::prober {

// The sweepers' wake period (the prober's workers, `serve`'s threads): how
// late a phase deadline may fire. Far below any timeout a user sets.
inline constexpr std::chrono::milliseconds deadline_resolution{10};

class Deadline;

class DeadlineSweeper {
public:
    using clock = std::chrono::steady_clock;

    explicit DeadlineSweeper(clock::duration resolution) : resolution_(resolution) {}
    DeadlineSweeper(const DeadlineSweeper&) = delete;
    DeadlineSweeper& operator=(const DeadlineSweeper&) = delete;

private:
    friend class Deadline;
    using Entries = std::multimap<clock::time_point, Deadline*>;

    // Starts sweeping, on `socket`'s executor, when this is the only deadline.
    Entries::iterator add(clock::time_point expiry, Deadline& deadline, boost::asio::ip::tcp::socket& socket);
    void remove(Entries::iterator entry) { entries_.erase(entry); }
    boost::asio::awaitable<void> sweep();

    clock::duration resolution_;
    Entries entries_;
    bool sweeping_ = false;
};

// One connection's deadline for its current phase. Unset until the first
// expires_after; unregistered when destroyed (declare it after its socket).
class Deadline {
public:
    Deadline(DeadlineSweeper& sweeper, boost::asio::ip::tcp::socket& socket) : sweeper_(sweeper), socket_(socket) {}
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;
    ~Deadline() { clear(); }

    void expires_after(DeadlineSweeper::clock::duration timeout);
    // No deadline until the next expires_after: for a wait that has none
    // (a probe's --hold), which a passed deadline would otherwise keep
    // cancelling at every sweep.
    void clear();
    // Whether the deadline is set and has passed: a cancelled operation was the timeout.
    [[nodiscard]] bool passed() const;

private:
    friend class DeadlineSweeper;

    DeadlineSweeper& sweeper_;
    boost::asio::ip::tcp::socket& socket_;
    std::optional<DeadlineSweeper::Entries::iterator> entry_;
};

}  // namespace tlsprobe::prober
