#include "child_process.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace tlsprobe::testing {
namespace {

core::ChildOptions stdout_pipe()
{
    core::ChildOptions options;
    options.out = core::Output::pipe();
    return options;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::seconds limit)
{
    core::CommandOptions options;
    options.limit = limit;
    // A test past its deadline has failed already: no grace before SIGKILL.
    options.grace = std::chrono::milliseconds(0);
    auto result = core::run_command(argv, options);
    return {result.timed_out ? -1 : result.exit.shell_status(), std::move(result.out), std::move(result.err)};
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv) : child_(argv, stdout_pipe()) {}

ChildProcess::~ChildProcess() = default;

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds limit)
{
    const auto give_up = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
            auto line = buffer_.substr(0, newline);
            buffer_.erase(0, newline + 1);
            return line;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return std::nullopt;
        }
        pollfd entry{child_.stdout_fd(), POLLIN, 0};
        if (::poll(&entry, 1, static_cast<int>(left.count())) <= 0) {
            return std::nullopt;
        }
        char chunk[512];
        const ssize_t n = ::read(child_.stdout_fd(), chunk, sizeof chunk);
        if (n <= 0) {
            return std::nullopt;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

void ChildProcess::send_signal(int signal) const
{
    child_.send_signal(signal);
}

int ChildProcess::wait(std::chrono::seconds limit)
{
    if (exit_code_) {
        return *exit_code_;
    }
    if (const auto exit = child_.wait_for(limit)) {
        exit_code_ = exit->shell_status();
    } else {
        child_.kill();
        exit_code_ = -1;
    }
    return *exit_code_;
}

std::string tlsprobe_binary()
{
    return TLSPROBE_BINARY;
}

std::uint16_t free_loopback_port()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t size = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    ::close(fd);
    return ntohs(address.sin_port);
}

}  // namespace tlsprobe::testing
