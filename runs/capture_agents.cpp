#include "runs/capture_agents.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/errors.hpp"
#include "runs/run_directory.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <set>

extern char** environ;

namespace tlsprobe::runs {
namespace {

std::string describe(const std::vector<std::string>& argv)
{
    std::string text;
    for (const auto& arg : argv) {
        text += (text.empty() ? "" : " ") + arg;
    }
    return text;
}

std::optional<int> reap(pid_t pid, bool block)
{
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, block ? 0 : WNOHANG);
    if (done != pid) {
        return std::nullopt;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

AgentProcess::AgentProcess(std::string vantage, const std::vector<std::string>& argv,
                           const std::filesystem::path& flows_file)
    : vantage_(std::move(vantage)), command_(describe(argv))
{
    int in[2];
    int out[2];
    if (argv.empty() || ::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
        throw core::EnvironmentError("--capture " + vantage_ + ": cannot start an empty command or make pipes");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    // The agent must not take the run's SIGINT from the terminal: the run
    // stops it in order, after the last probe, by closing its stdin.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&attributes, 0);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    std::vector<char*> pointers;
    for (const auto& arg : argv) {
        pointers.push_back(const_cast<char*>(arg.c_str()));
    }
    pointers.push_back(nullptr);
    const int error = posix_spawnp(&pid_, pointers[0], &actions, &attributes, pointers.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(in[0]);
    ::close(out[1]);
    if (error != 0) {
        ::close(in[1]);
        ::close(out[0]);
        throw core::EnvironmentError("--capture " + vantage_ + ": cannot start \"" + command_ +
                                        "\": " + std::strerror(error));
    }
    stdin_fd_ = in[1];
    stdout_fd_ = out[0];
    reader_ = std::thread([this, flows_file] { pump(flows_file); });
}

AgentProcess::~AgentProcess()
{
    stop(std::chrono::milliseconds(2000));
}

void AgentProcess::pump(const std::filesystem::path& flows_file)
{
    std::ofstream out(flows_file, std::ios::app);
    std::string pending;
    char chunk[65536];
    for (;;) {
        const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        pending.append(chunk, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (auto newline = pending.find('\n'); newline != std::string::npos; newline = pending.find('\n', start)) {
            const std::string_view line(pending.data() + start, newline - start);
            if (line.find("\"type\":\"capture_ready\"") != std::string_view::npos) {
                ready_ = true;
            }
            out << line << '\n';
            lines_.fetch_add(1);
            start = newline + 1;
        }
        pending.erase(0, start);
        out.flush();
    }
    ended_ = true;
}

void AgentProcess::wait_ready(std::chrono::milliseconds limit) const
{
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!ready_) {
        if (ended_) {
            throw core::EnvironmentError("--capture " + vantage_ + ": \"" + command_ +
                                            "\" exited before it was ready (see its messages above)");
        }
        if (std::chrono::steady_clock::now() > give_up) {
            throw core::EnvironmentError("--capture " + vantage_ + ": \"" + command_ + "\" did not report ready within " +
                                            std::to_string(limit.count() / 1000) + " s");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

int AgentProcess::stop(std::chrono::milliseconds limit)
{
    if (status_) {
        return *status_;
    }
    ::close(stdin_fd_);
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!(status_ = reap(pid_, false)) && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!status_) {
        ::kill(pid_, SIGTERM);
        const auto grace = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (!(status_ = reap(pid_, false)) && std::chrono::steady_clock::now() < grace) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (!status_) {
            ::kill(pid_, SIGKILL);
            status_ = reap(pid_, true);
        }
    }
    reader_.join();
    ::close(stdout_fd_);
    return status_.value_or(-1);
}

std::vector<std::string> agent_command(std::string_view spec, const std::string& vantage, std::uint16_t port,
                                       const std::filesystem::path& pcap)
{
    const bool single_word = spec.find_first_of(" \t") == std::string_view::npos;
    if (single_word && !spec.empty() && spec.find('/') == std::string_view::npos &&
        std::filesystem::exists(std::filesystem::path("/sys/class/net") / spec)) {
        return {std::filesystem::read_symlink("/proc/self/exe").string(),
                "capture",
                "--iface",
                std::string(spec),
                "--vantage",
                vantage,
                "--port",
                std::to_string(port),
                "--pcap",
                pcap.string(),
                "--out",
                "-"};
    }
    std::vector<std::string> argv;
    while (!spec.empty()) {
        const auto start = spec.find_first_not_of(" \t");
        if (start == std::string_view::npos) {
            break;
        }
        spec.remove_prefix(start);
        const auto end = spec.find_first_of(" \t");
        argv.emplace_back(spec.substr(0, end));
        spec.remove_prefix(end == std::string_view::npos ? spec.size() : end);
    }
    return argv;
}

CaptureAgents::CaptureAgents(std::span<const CaptureSpec> specs, std::uint16_t port,
                             const std::filesystem::path& run_dir)
{
    for (const auto& [name, spec] : specs) {
        const auto argv = agent_command(spec, name, port, run_dir / (name + ".pcap"));
        agents_.push_back(std::make_unique<AgentProcess>(name, argv, vantage_flows_file(run_dir, name)));
    }
    for (const auto& agent : agents_) {
        agent->wait_ready(std::chrono::seconds(15));
        spdlog::info("capture agent {} is ready", agent->vantage());
    }
}

std::vector<VantageProblem> CaptureAgents::stop(std::chrono::milliseconds linger)
{
    std::vector<VantageProblem> problems;
    if (agents_.empty()) {
        return problems;
    }
    std::this_thread::sleep_for(linger);
    for (auto& agent : agents_) {
        // An agent whose output ended before it was asked to stop missed the rest of the run.
        const bool early = agent->ended();
        if (const int status = agent->stop(std::chrono::seconds(15)); early || status != 0) {
            auto what = early ? fmt::format("stopped before the run ended (exit status {})", status)
                              : fmt::format("exited with status {}", status);
            spdlog::warn("capture agent {} {}; its timelines are incomplete", agent->vantage(), what);
            problems.push_back({.vantage = agent->vantage(), .what = std::move(what)});
        }
    }
    return problems;
}

}  // namespace tlsprobe::runs
