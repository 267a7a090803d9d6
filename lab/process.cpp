#include "lab/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <vector>

#include "core/errors.hpp"
#include "core/file_descriptor.hpp"

extern char** environ;

namespace tlsprobe::lab {

namespace {


using Fd = core::FileDescriptor;

struct Pipe {
    Fd read;
    Fd write;
};

Pipe make_pipe()
{
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        throw core::EnvironmentError(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
    }
    return {Fd{fds[0]}, Fd{fds[1]}};
}

std::vector<char*> c_argv(std::span<const std::string> argv)
{
    std::vector<char*> out;
    out.reserve(argv.size() + 1);
    for (const auto& arg : argv) {
        // posix_spawn takes char* const[] for historical reasons; it does not write.
        out.push_back(const_cast<char*>(arg.c_str()));
    }
    out.push_back(nullptr);
    return out;
}

// posix_spawn file actions and attributes with guaranteed destruction.
class SpawnSetup {
public:
    SpawnSetup()
    {
        posix_spawn_file_actions_init(&actions_);
        posix_spawnattr_init(&attr_);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
    ~SpawnSetup()
    {
        posix_spawn_file_actions_destroy(&actions_);
        posix_spawnattr_destroy(&attr_);
    }
    posix_spawn_file_actions_t* actions() { return &actions_; }
    posix_spawnattr_t* attr() { return &attr_; }

private:
    posix_spawn_file_actions_t actions_{};
    posix_spawnattr_t attr_{};
};

pid_t spawn(std::span<const std::string> argv, SpawnSetup& setup)
{
    if (argv.empty()) {
        throw core::EnvironmentError("internal: empty command");
    }
    auto args = c_argv(argv);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, args[0], setup.actions(), setup.attr(), args.data(), environ);
    if (rc != 0) {
        throw core::EnvironmentError(fmt::format("cannot run {}: {}", argv[0], std::strerror(rc)));
    }
    return pid;
}

int wait_status(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return 128;
        }
    }
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return 128 + WTERMSIG(status);
}

}  // namespace

std::string describe_command(std::span<const std::string> argv)
{
    return fmt::format("{}", fmt::join(argv, " "));
}

ProcessResult run_process(std::span<const std::string> argv, std::string_view input)
{
    Pipe in = make_pipe();
    Pipe out = make_pipe();
    Pipe err = make_pipe();
    SpawnSetup setup;
    posix_spawn_file_actions_adddup2(setup.actions(), in.read.get(), STDIN_FILENO);
    posix_spawn_file_actions_adddup2(setup.actions(), out.write.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(setup.actions(), err.write.get(), STDERR_FILENO);
    const pid_t pid = spawn(argv, setup);
    in.read.reset();
    out.write.reset();
    err.write.reset();
    // A child that exits without reading its stdin must not kill us with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);

    ProcessResult result;
    std::size_t written = 0;
    if (input.empty()) {
        in.write.reset();
    }
    std::array<char, 8192> buffer{};
    while (out.read.get() >= 0 || err.read.get() >= 0) {
        std::array<pollfd, 3> fds{{
            {out.read.get(), POLLIN, 0},
            {err.read.get(), POLLIN, 0},
            {in.write.get(), POLLOUT, 0},
        }};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (fds[2].revents != 0) {
            const ssize_t n = ::write(in.write.get(), input.data() + written, input.size() - written);
            if (n > 0) {
                written += static_cast<std::size_t>(n);
            }
            if (n < 0 || written == input.size()) {
                in.write.reset();
            }
        }
        const std::array<std::pair<Fd*, std::string*>, 2> readers{{{&out.read, &result.out}, {&err.read, &result.err}}};
        for (std::size_t i = 0; i < readers.size(); ++i) {
            if (fds[i].revents == 0) {
                continue;
            }
            const ssize_t n = ::read(readers[i].first->get(), buffer.data(), buffer.size());
            if (n > 0) {
                readers[i].second->append(buffer.data(), static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                readers[i].first->reset();
            }
        }
    }
    in.write.reset();
    result.status = wait_status(pid);
    return result;
}

std::string run_checked(std::span<const std::string> argv, std::string_view input)
{
    auto result = run_process(argv, input);
    if (result.status != 0) {
        std::string err = result.err;
        while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) {
            err.pop_back();
        }
        for (auto& c : err) {
            if (c == '\n') {
                c = ' ';
            }
        }
        throw core::EnvironmentError(
            fmt::format("`{}` failed with status {}: {}", describe_command(argv), result.status, err));
    }
    return std::move(result.out);
}

pid_t spawn_detached(std::span<const std::string> argv, const std::filesystem::path& log)
{
    SpawnSetup setup;
    posix_spawn_file_actions_addopen(setup.actions(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(setup.actions(), STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(setup.actions(), STDOUT_FILENO, STDERR_FILENO);
    posix_spawnattr_setflags(setup.attr(), POSIX_SPAWN_SETSID);
    return spawn(argv, setup);
}

}  // namespace tlsprobe::lab
