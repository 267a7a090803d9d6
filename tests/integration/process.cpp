#include "tests/integration/process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace tlsprobe::test {

namespace {

std::vector<char*> c_args(const std::vector<std::string>& argv)
{
    std::vector<char*> out;
    for (const auto& a : argv) {
        out.push_back(const_cast<char*>(a.c_str()));
    }
    out.push_back(nullptr);
    return out;
}

int exit_status(int status)
{
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return 128 + WTERMSIG(status);
}

int wait_pid(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return exit_status(status);
}

std::string slurp(const std::filesystem::path& path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

Finished run(const std::vector<std::string>& argv)
{
    TempDir dir;
    const auto out = dir / "out";
    const auto err = dir / "err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    auto args = c_args(argv);
    const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw std::runtime_error("cannot run " + argv[0]);
    }
    Finished f;
    f.exit_code = wait_pid(pid);
    f.out = slurp(out);
    f.err = slurp(err);
    return f;
}

Background::Background(const std::vector<std::string>& argv)
{
    std::array<int, 2> in{};
    std::array<int, 2> err{};
    if (::pipe2(in.data(), O_CLOEXEC) != 0 || ::pipe2(err.data(), O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    auto args = c_args(argv);
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

Background::~Background()
{
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait();
    }
    if (stdin_fd_ >= 0) {
        ::close(stdin_fd_);
    }
    if (stderr_fd_ >= 0) {
        ::close(stderr_fd_);
    }
}

bool Background::wait_for_stderr(std::string_view needle)
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

int Background::wait()
{
    const int code = wait_pid(pid_);
    pid_ = -1;
    // Whatever else it logged, for failure messages.
    std::array<char, 512> buffer{};
    ssize_t n = 0;
    while ((n = ::read(stderr_fd_, buffer.data(), buffer.size())) > 0) {
        err_.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return code;
}

int Background::close_stdin_and_wait()
{
    ::close(stdin_fd_);
    stdin_fd_ = -1;
    return wait();
}

int Background::terminate_and_wait()
{
    ::kill(pid_, SIGTERM);
    return wait();
}

TempDir::TempDir()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "tlsprobe-it-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
    std::filesystem::permissions(path_, std::filesystem::perms::others_read | std::filesystem::perms::others_exec,
                                 std::filesystem::perm_options::add);
}

TempDir::~TempDir()
{
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
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

}  // namespace tlsprobe::test
