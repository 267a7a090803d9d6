#pragma once
#include <chrono>
#include <optional>

#include <signal.h>

#include "core/file_descriptor.hpp"

namespace tlsprobe::core {

// The one watcher for SIGINT and SIGTERM, the signals that ask a command to
// stop in order. The constructor blocks them in the calling thread, before
// any worker starts, so the workers inherit the mask and no handler ever
// runs: the signals wait, pending, on a signalfd that a loop polls (fd()),
// an event loop wraps, or `received` waits on.
//
// They stay blocked after the watcher is gone: a second Ctrl-C during the
// orderly shutdown that the first one started must not kill the process
// halfway through writing its files. Children started through
// core::ChildProcess get an empty mask back.
class StopSignals {
public:
    // Throws EnvironmentError when the signalfd cannot be made.
    StopSignals();

    // Readable while a stop signal is pending.
    [[nodiscard]] int fd() const { return fd_.get(); }
    // The pending stop signal (SIGINT or SIGTERM), taken without waiting.
    [[nodiscard]] std::optional<int> take() const;
    // Waits up to `tick` for a stop signal; true when one arrived.
    [[nodiscard]] bool received(std::chrono::milliseconds tick) const;

private:
    FileDescriptor fd_;
};

}  // namespace tlsprobe::core
