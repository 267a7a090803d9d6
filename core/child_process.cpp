#include "core/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

extern char** environ;

namespace tlsprobe::core {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
    FileDescriptor read;
    FileDescriptor write;
};

Pipe make_pipe()
{
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        throw EnvironmentError(std::string("cannot create a pipe: ") + std::strerror(errno));
    }
    return {FileDescriptor(fds[0]), FileDescriptor(fds[1])};
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

// Sets up `target` (1 or 2) of the child as `output` asks; returns the
// parent's read end when it asks for a pipe. The child's end of a pipe is
// kept in `child_ends` until the spawn has duplicated it.
FileDescriptor redirect(SpawnSetup& setup, int target, const Output& output, std::vector<FileDescriptor>& child_ends)
{
    switch (output.to) {
    case Output::To::inherit:
        break;
    case Output::To::null:
        posix_spawn_file_actions_addopen(setup.actions(), target, "/dev/null", O_WRONLY, 0);
        break;
    case Output::To::file:
        posix_spawn_file_actions_addopen(setup.actions(), target, output.file.c_str(),
                                         O_WRONLY | O_CREAT | (output.append ? O_APPEND : O_TRUNC), 0644);
        break;
    case Output::To::same_as_stdout:
        posix_spawn_file_actions_adddup2(setup.actions(), STDOUT_FILENO, target);
        break;
    case Output::To::pipe: {
        Pipe pipe = make_pipe();
        posix_spawn_file_actions_adddup2(setup.actions(), pipe.write.get(), target);
        child_ends.push_back(std::move(pipe.write));
        return std::move(pipe.read);
    }
    }
    return {};
}

ProcessExit decode(int status)
{
    if (WIFSIGNALED(status)) {
        return {ProcessExit::How::signalled, WTERMSIG(status)};
    }
    return {ProcessExit::How::exited, WEXITSTATUS(status)};
}

int milliseconds_until(Clock::time_point deadline)
{
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0));
}

// Appends what `fd` has to offer now; closes it at end of file or error.
void read_available(FileDescriptor& fd, std::string& into)
{
    std::array<char, 65536> buffer{};
    while (fd) {
        const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n > 0) {
            into.append(buffer.data(), static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            return;
        } else {
            fd.reset();
        }
    }
}

}  // namespace

std::string to_string(const ProcessExit& exit)
{
    if (exit.how == ProcessExit::How::exited) {
        return "exit code " + std::to_string(exit.number);
    }
    return "signal " + std::to_string(exit.number) + " (" + ::strsignal(exit.number) + ")";
}

ChildProcess::ChildProcess(std::span<const std::string> argv, const ChildOptions& options)
{
    if (argv.empty()) {
        throw SpawnError("cannot run an empty command", EINVAL);
    }
    SpawnSetup setup;
    std::vector<FileDescriptor> child_ends;
    switch (options.in) {
    case Input::null:
        posix_spawn_file_actions_addopen(setup.actions(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        break;
    case Input::pipe: {
        Pipe pipe = make_pipe();
        posix_spawn_file_actions_adddup2(setup.actions(), pipe.read.get(), STDIN_FILENO);
        child_ends.push_back(std::move(pipe.read));
        stdin_ = std::move(pipe.write);
        break;
    }
    case Input::inherit:
        break;
    }
    stdout_ = redirect(setup, STDOUT_FILENO, options.out, child_ends);
    stderr_ = redirect(setup, STDERR_FILENO, options.err, child_ends);

    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (options.group == Group::own) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(setup.attr(), 0);
    } else if (options.group == Group::own_session) {
        flags |= POSIX_SPAWN_SETSID;
    }
    posix_spawnattr_setflags(setup.attr(), flags);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(setup.attr(), &none);
    // An ignored disposition survives exec; run_command ignores SIGPIPE, the child must not.
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(setup.attr(), &defaults);

    std::vector<char*> pointers;
    pointers.reserve(argv.size() + 1);
    for (const auto& arg : argv) {
        // posix_spawn takes char* const[] for historical reasons; it does not write.
        pointers.push_back(const_cast<char*>(arg.c_str()));
    }
    pointers.push_back(nullptr);
    const int error = ::posix_spawnp(&pid_, pointers[0], setup.actions(), setup.attr(), pointers.data(), environ);
    if (error != 0) {
        pid_ = -1;
        throw SpawnError("cannot run " + argv[0] + ": " + std::strerror(error), error);
    }
    // Nobody else reaps our child, so the pid cannot be reused before the pidfd exists.
    pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
    if (!pidfd_) {
        const int open_error = errno;
        kill();
        throw EnvironmentError("cannot watch " + argv[0] + " (pidfd_open): " + std::strerror(open_error));
    }
}

ChildProcess::~ChildProcess()
{
    if (running()) {
        kill();
    }
}

void ChildProcess::send_signal(int signal) const
{
    if (running()) {
        ::kill(pid_, signal);
    }
}

std::optional<ProcessExit> ChildProcess::wait_for(std::chrono::milliseconds limit)
{
    if (!running()) {
        return exit_;
    }
    const auto deadline = Clock::now() + limit;
    for (;;) {
        pollfd entry{pidfd_.get(), POLLIN, 0};
        const int ready = ::poll(&entry, 1, milliseconds_until(deadline));
        if (ready > 0) {
            return wait();
        }
        if (ready == 0 || errno != EINTR) {
            return std::nullopt;
        }
    }
}

ProcessExit ChildProcess::wait()
{
    if (!running()) {
        return exit_.value_or(ProcessExit{});
    }
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR) {
            // Someone else reaped it (a SIGCHLD set to SIG_IGN does): its status is lost.
            exit_ = ProcessExit{ProcessExit::How::exited, 128};
            return *exit_;
        }
    }
    exit_ = decode(status);
    pidfd_.reset();
    return *exit_;
}

ProcessExit ChildProcess::terminate(std::chrono::milliseconds grace)
{
    send_signal(SIGTERM);
    if (const auto done = wait_for(grace)) {
        return *done;
    }
    return kill();
}

ProcessExit ChildProcess::kill()
{
    send_signal(SIGKILL);
    return wait();
}

pid_t ChildProcess::release()
{
    pidfd_.reset();
    stdin_.reset();
    stdout_.reset();
    stderr_.reset();
    return std::exchange(pid_, -1);
}

CommandResult run_command(std::span<const std::string> argv, const CommandOptions& options)
{
    ChildOptions child_options;
    child_options.in = options.input ? Input::pipe : Input::null;
    child_options.out = Output::pipe();
    child_options.err = Output::pipe();
    ChildProcess child(argv, child_options);
    FileDescriptor in = child.take_stdin();
    FileDescriptor out = child.take_stdout();
    FileDescriptor err = child.take_stderr();
    // Never block on one pipe while the child blocks on another.
    for (const int fd : {in.get(), out.get(), err.get()}) {
        if (fd >= 0) {
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        }
    }
    std::string_view input = options.input.value_or(std::string_view{});
    if (input.empty()) {
        in.reset();
    } else {
        // A child that exits without reading its stdin must not kill us with SIGPIPE.
        ::signal(SIGPIPE, SIG_IGN);
    }

    CommandResult result;
    const auto deadline = options.limit ? Clock::now() + *options.limit : Clock::time_point::max();
    for (;;) {
        std::array<pollfd, 4> fds{{
            {child.exit_fd(), POLLIN, 0},
            {out.get(), POLLIN, 0},
            {err.get(), POLLIN, 0},
            {in.get(), POLLOUT, 0},
        }};
        const int ready = ::poll(fds.data(), fds.size(), options.limit ? milliseconds_until(deadline) : -1);
        if (ready < 0 && errno != EINTR) {
            throw EnvironmentError("cannot wait for " + argv[0] + ": " + std::strerror(errno));
        }
        if (options.limit && Clock::now() >= deadline) {
            result.exit = child.terminate(options.grace);
            result.timed_out = true;
            break;
        }
        if (ready <= 0) {
            continue;
        }
        if (fds[3].revents != 0) {
            const ssize_t n = ::write(in.get(), input.data(), input.size());
            if (n > 0) {
                input.remove_prefix(static_cast<std::size_t>(n));
            }
            if (input.empty() || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                in.reset();
            }
        }
        if (fds[1].revents != 0) {
            read_available(out, result.out);
        }
        if (fds[2].revents != 0) {
            read_available(err, result.err);
        }
        if (fds[0].revents != 0) {
            result.exit = child.wait();
            break;
        }
    }
    // Everything the child wrote before it ended is in the pipes now.
    read_available(out, result.out);
    read_available(err, result.err);
    return result;
}

std::string describe_command(std::span<const std::string> argv)
{
    std::string text;
    for (const auto& arg : argv) {
        text += (text.empty() ? "" : " ") + arg;
    }
    return text;
}

}  // namespace tlsprobe::core
