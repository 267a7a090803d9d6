#pragma once
// Running the tools the integration tests drive (tlsprobe, nginx, tcpdump,
// openssl, tshark) without a shell.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tlsprobe::test {

struct Finished {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs to completion with stdin from /dev/null; stdout and stderr collected.
Finished run(const std::vector<std::string>& argv);

// A background process with a pipe on its stdin and one on its stderr.
class Background {
public:
    explicit Background(const std::vector<std::string>& argv);
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;
    ~Background();

    // Reads stderr until a line contains `needle`; false at end of file.
    bool wait_for_stderr(std::string_view needle);
    // Closes the process's stdin, then waits for it to exit.
    int close_stdin_and_wait();
    // Sends SIGTERM, then waits for it to exit.
    int terminate_and_wait();
    [[nodiscard]] const std::string& stderr_text() const { return err_; }

private:
    int wait();

    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stderr_fd_ = -1;
    std::string err_;
};

class TempDir {
public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

[[nodiscard]] std::vector<std::string> read_lines(const std::filesystem::path& path);

}  // namespace tlsprobe::test
