#pragma once
#include <signal.h>

#include <chrono>

namespace tlsprobe::core {

// SIGINT and SIGTERM, taken synchronously by the thread that asks. The
// constructor blocks them in the calling thread before any worker starts, so
// the workers inherit the mask and the signals wait for `received`.
class StopSignals {
public:
    StopSignals()
    {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    }

    // Waits up to `tick` for a stop signal; true when one arrived.
    [[nodiscard]] bool received(std::chrono::milliseconds tick) const
    {
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(tick);
        const timespec wait{seconds.count(), std::chrono::nanoseconds(tick - seconds).count()};
        const int signal = sigtimedwait(&set_, nullptr, &wait);
        return signal == SIGINT || signal == SIGTERM;
    }

private:
    sigset_t set_{};
};

}  // namespace tlsprobe::core
