#pragma once
// The one way tlsprobe starts other programs (system tools, capture agents,
// the binary under test): an argument vector looked up in PATH, never a
// shell, so no value can be read as shell syntax. Waiting has a deadline and
// never polls: the child's pidfd (Linux 5.3) becomes readable when it exits.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/errors.hpp"
#include "core/file_descriptor.hpp"

namespace tlsprobe::core {

// How a child ended: its exit code, or the signal that killed it.
struct ProcessExit {
    enum class How { exited, signalled };
    How how = How::exited;
    // The exit code, or the signal number.
    int number = 0;

    [[nodiscard]] bool succeeded() const { return how == How::exited && number == 0; }
    // As a shell reports it: the exit code, or 128 + the signal number.
    [[nodiscard]] int shell_status() const { return how == How::exited ? number : 128 + number; }
};

// "exit code 3", "signal 9 (Killed)".
[[nodiscard]] std::string to_string(const ProcessExit& exit);

// The command could not be started at all (not found, not executable).
class SpawnError : public EnvironmentError {
public:
    SpawnError(const std::string& message, int error_number) : EnvironmentError(message), error_number_(error_number) {}
    [[nodiscard]] int error_number() const { return error_number_; }

private:
    int error_number_;
};

// The child's standard input.
enum class Input {
    null,     // /dev/null
    pipe,     // a pipe whose write end the parent holds (ChildProcess::stdin_fd)
    inherit,  // the parent's own
};

// Where the child's standard output or error goes.
struct Output {
    enum class To { inherit, null, pipe, file, same_as_stdout };
    To to = To::inherit;
    std::filesystem::path file;
    bool append = false;

    [[nodiscard]] static Output inherited() { return {}; }
    [[nodiscard]] static Output null() { return {To::null, {}, false}; }
    // A pipe whose read end the parent holds (ChildProcess::stdout_fd / stderr_fd).
    [[nodiscard]] static Output pipe() { return {To::pipe, {}, false}; }
    [[nodiscard]] static Output truncated_file(std::filesystem::path path) { return {To::file, std::move(path), false}; }
    [[nodiscard]] static Output appended_file(std::filesystem::path path) { return {To::file, std::move(path), true}; }
    // For stderr only: the same open file as stdout, so the two interleave in order.
    [[nodiscard]] static Output same_as_stdout() { return {To::same_as_stdout, {}, false}; }
};

// Whether terminal signals (Ctrl-C) that reach the parent's group reach the child.
enum class Group {
    parent,         // the parent's process group
    own,            // a process group of its own
    own_session,    // a session of its own, detached from the terminal
};

struct ChildOptions {
    Input in = Input::null;
    Output out = Output::inherited();
    Output err = Output::inherited();
    Group group = Group::parent;
};

// A started child. Every child starts with an empty signal mask and default
// SIGPIPE handling, whatever the parent blocked (core::StopSignals) or
// ignored. The destructor kills (SIGKILL) and reaps a child still running.
class ChildProcess {
public:
    // Throws SpawnError when argv[0] cannot be run, EnvironmentError when
    // pipes or the pidfd cannot be made.
    ChildProcess(std::span<const std::string> argv, const ChildOptions& options);
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    [[nodiscard]] pid_t pid() const { return pid_; }
    // The parent's ends of the pipes asked for; -1 otherwise or once closed.
    [[nodiscard]] int stdin_fd() const { return stdin_.get(); }
    [[nodiscard]] int stdout_fd() const { return stdout_.get(); }
    [[nodiscard]] int stderr_fd() const { return stderr_.get(); }
    // End of file on the child's stdin.
    void close_stdin() { stdin_.reset(); }
    // Ownership of the parent's ends, for a caller that drives them itself.
    [[nodiscard]] FileDescriptor take_stdin() { return std::move(stdin_); }
    [[nodiscard]] FileDescriptor take_stdout() { return std::move(stdout_); }
    [[nodiscard]] FileDescriptor take_stderr() { return std::move(stderr_); }
    // Readable once the child has exited, for a caller's own poll; -1 once reaped.
    [[nodiscard]] int exit_fd() const { return pidfd_.get(); }

    void send_signal(int signal) const;
    // Waits for the exit, or gives up after `limit` with nothing.
    [[nodiscard]] std::optional<ProcessExit> wait_for(std::chrono::milliseconds limit);
    ProcessExit wait();
    // SIGTERM, then SIGKILL when it is still running after `grace`.
    ProcessExit terminate(std::chrono::milliseconds grace);
    // SIGKILL, then waits.
    ProcessExit kill();
    // The exit, once waited for.
    [[nodiscard]] const std::optional<ProcessExit>& exit() const { return exit_; }

    // Lets the child run on unwatched and returns its pid: the caller reaps
    // it (or init does, once the caller exits).
    [[nodiscard]] pid_t release();

private:
    [[nodiscard]] bool running() const { return pid_ > 0 && !exit_; }

    pid_t pid_ = -1;
    FileDescriptor pidfd_;
    FileDescriptor stdin_;
    FileDescriptor stdout_;
    FileDescriptor stderr_;
    std::optional<ProcessExit> exit_;
};

// What run_command gathered.
struct CommandResult {
    ProcessExit exit;
    // The deadline passed and the child was terminated.
    bool timed_out = false;
    std::string out;
    std::string err;
};

struct CommandOptions {
    // Written to the child's stdin through a pipe, which is then closed;
    // nothing: stdin is /dev/null.
    std::optional<std::string_view> input;
    // Terminated (SIGTERM, then SIGKILL after `grace`) when still running after `limit`.
    std::optional<std::chrono::milliseconds> limit;
    std::chrono::milliseconds grace{2000};
};

// Runs argv to its end with stdout and stderr captured. Output that a
// grandchild still writes after the child exited is not waited for.
// Throws as ChildProcess does.
[[nodiscard]] CommandResult run_command(std::span<const std::string> argv, const CommandOptions& options = {});

// The command line as one readable string, for messages and logs only.
[[nodiscard]] std::string describe_command(std::span<const std::string> argv);

}  // namespace tlsprobe::core
