#include "runs/capture_agents.hpp"

#include <algorithm>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/errors.hpp"
#include "runs/run_directory.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <set>

namespace tlsprobe::runs {
namespace {

core::ChildProcess start_agent(const std::string& vantage, const std::vector<std::string>& argv)
{
    if (argv.empty()) {
        throw core::EnvironmentError("capture", " " + vantage + ": cannot start an empty command");
    }
    core::ChildOptions options;
    options.in = core::Input::pipe;
    options.out = core::Output::pipe();
    // The agent must not take the run's SIGINT from the terminal: the run
    // stops it in order, after the last probe, by closing its stdin.
    options.group = core::Group::own;
    try {
        return core::ChildProcess(argv, options);
    } catch (const core::SpawnError& error) {
        throw core::EnvironmentError("capture", " " + vantage + ": cannot start \"" + core::describe_command(argv) +
                                                    "\": " + std::strerror(error.error_number()));
    }
}

}  // namespace

AgentProcess::AgentProcess(std::string vantage, const std::vector<std::string>& argv,
                           const std::filesystem::path& flows_file)
    : vantage_(std::move(vantage)), command_(core::describe_command(argv)), child_(start_agent(vantage_, argv))
{
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
        const ssize_t n = ::read(child_.stdout_fd(), chunk, sizeof chunk);
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
            throw core::EnvironmentError("capture", " " + vantage_ + ": \"" + command_ +
                                                        "\" exited before it was ready (see its messages above)");
        }
        if (std::chrono::steady_clock::now() > give_up) {
            throw core::EnvironmentError("capture", " " + vantage_ + ": \"" + command_ +
                                                        "\" did not report ready within " +
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
    child_.close_stdin();
    auto exit = child_.wait_for(limit);
    if (!exit) {
        exit = child_.terminate(std::chrono::seconds(2));
    }
    status_ = exit->shell_status();
    reader_.join();
    return *status_;
}

std::vector<std::string> agent_command(const scenarios::CaptureVantage& vantage, std::uint16_t port,
                                       const std::filesystem::path& pcap)
{
    const auto this_binary = std::filesystem::read_symlink("/proc/self/exe").string();
    if (!vantage.interface.empty()) {
        return {this_binary, "capture", "--iface", vantage.interface, "--vantage", vantage.name,
                "--port", std::to_string(port), "--pcap", pcap.string(), "--out", "-"};
    }
    auto argv = vantage.command;
    std::replace(argv.begin(), argv.end(), std::string(scenarios::this_binary_word), this_binary);
    return argv;
}

void check_capture_interfaces(std::span<const scenarios::CaptureVantage> captures)
{
    for (const auto& vantage : captures) {
        if (!vantage.interface.empty() &&
            !std::filesystem::exists(std::filesystem::path("/sys/class/net") / vantage.interface)) {
            throw core::UsageError("capture", " " + vantage.name + "=" + vantage.interface +
                                                  ": no such interface here, and a one-word command cannot be a "
                                                  "capture agent");
        }
    }
}

CaptureAgents::CaptureAgents(std::span<const scenarios::CaptureVantage> captures, std::uint16_t port,
                             const std::filesystem::path& run_dir)
{
    for (const auto& vantage : captures) {
        const auto argv = agent_command(vantage, port, vantage_pcap_file(run_dir, vantage.name));
        agents_.push_back(
            std::make_unique<AgentProcess>(vantage.name, argv, vantage_flows_file(run_dir, vantage.name)));
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
