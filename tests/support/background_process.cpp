#include "background_process.hpp"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <fstream>

namespace tlsprobe::testing {
namespace {

core::ChildOptions stdin_and_stderr_pipes()
{
    core::ChildOptions options;
    options.in = core::Input::pipe;
    options.out = core::Output::null();
    options.err = core::Output::pipe();
    return options;
}

}  // namespace

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv) : child_(argv, stdin_and_stderr_pipes()) {}

BackgroundProcess::~BackgroundProcess() = default;

bool BackgroundProcess::wait_for_stderr(std::string_view needle, std::chrono::milliseconds limit)
{
    const auto give_up = std::chrono::steady_clock::now() + limit;
    std::array<char, 512> buffer{};
    while (err_.find(needle) == std::string::npos) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
        pollfd entry{child_.stderr_fd(), POLLIN, 0};
        if (left.count() <= 0 || ::poll(&entry, 1, static_cast<int>(left.count())) <= 0) {
            return false;
        }
        const ssize_t n = ::read(child_.stderr_fd(), buffer.data(), buffer.size());
        if (n <= 0) {
            return false;
        }
        err_.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return true;
}

int BackgroundProcess::wait()
{
    const int status = child_.wait().shell_status();
    // The rest of what it logged, for failure messages.
    std::array<char, 512> buffer{};
    ssize_t n = 0;
    while ((n = ::read(child_.stderr_fd(), buffer.data(), buffer.size())) > 0) {
        err_.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return status;
}

int BackgroundProcess::close_stdin_and_wait()
{
    child_.close_stdin();
    return wait();
}

int BackgroundProcess::terminate_and_wait()
{
    child_.send_signal(SIGTERM);
    return wait();
}

std::vector<std::string> read_lines(const std::filesystem::path& path)
{
    std::vector<std::string> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            lines.push_back(line);
        }
    }
    return lines;
}

}  // namespace tlsprobe::testing
