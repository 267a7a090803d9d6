#include "background_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace tlsprobe::testing {

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv)
{
    std::array<int, 2> in{};
    std::array<int, 2> err{};
    if (::pipe2(in.data(), O_CLOEXEC) != 0 || ::pipe2(err.data(), O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe");
    }
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    const int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(err[1]);
    stdin_fd_ = in[1];
    stderr_fd_ = err[0];
    if (rc != 0) {
        pid_ = -1;
        throw std::runtime_error("cannot start " + argv[0]);
    }
}

BackgroundProcess::~BackgroundProcess()
{
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait();
    }
    if (stdin_fd_ >= 0) {
        ::close(stdin_fd_);
    }
    ::close(stderr_fd_);
}

bool BackgroundProcess::wait_for_stderr(std::string_view needle)
{
    std::array<char, 512> buffer{};
    while (err_.find(needle) == std::string::npos) {
        const ssize_t n = ::read(stderr_fd_, buffer.data(), buffer.size());
        if (n <= 0) {
            return false;
        }
        err_.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return true;
}

int BackgroundProcess::wait()
{
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    // The rest of what it logged, for failure messages.
    std::array<char, 512> buffer{};
    ssize_t n = 0;
    while ((n = ::read(stderr_fd_, buffer.data(), buffer.size())) > 0) {
        err_.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int BackgroundProcess::close_stdin_and_wait()
{
    ::close(stdin_fd_);
    stdin_fd_ = -1;
    return wait();
}

int BackgroundProcess::terminate_and_wait()
{
    ::kill(pid_, SIGTERM);
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
