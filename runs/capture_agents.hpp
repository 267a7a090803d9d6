#pragma once
// A capture agent started by a run: `tlsprobe capture` on a local interface,
// or any command the user gives (`ip netns exec NS tlsprobe capture ...`,
// `ssh host tlsprobe capture ...`) that streams timelines as JSON Lines on
// its stdout. Run as an argument vector, never through a shell.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/child_process.hpp"
#include "scenarios/capture_vantage.hpp"

namespace tlsprobe::runs {

class AgentProcess {
public:
    // Starts `argv`; every line it prints goes to `flows_file` as it comes.
    // Throws core::EnvironmentError when the command cannot be started.
    AgentProcess(std::string vantage, const std::vector<std::string>& argv, const std::filesystem::path& flows_file);
    AgentProcess(const AgentProcess&) = delete;
    AgentProcess& operator=(const AgentProcess&) = delete;
    // Stops the agent if still running.
    ~AgentProcess();

    // Waits until the agent printed its `capture_ready` line. Throws
    // core::EnvironmentError naming the vantage and command when it exits first or
    // stays silent past `limit`.
    void wait_ready(std::chrono::milliseconds limit) const;

    // Closes the agent's stdin (its signal to flush and stop), waits up to
    // `limit` for it to exit, then terminates it. Returns its exit status.
    int stop(std::chrono::milliseconds limit);

    [[nodiscard]] const std::string& vantage() const { return vantage_; }
    [[nodiscard]] std::uint64_t lines() const { return lines_.load(); }
    // Its output ended (it exited or closed stdout), whether or not it was asked to stop.
    [[nodiscard]] bool ended() const { return ended_.load(); }

private:
    void pump(const std::filesystem::path& flows_file);

    std::string vantage_;
    std::string command_;
    core::ChildProcess child_;
    std::atomic<bool> ready_{false};
    std::atomic<bool> ended_{false};
    std::atomic<std::uint64_t> lines_{0};
    std::optional<int> status_;
    std::thread reader_;
};

// What a capture vantage runs. A local interface becomes `tlsprobe capture`
// on it (this binary; port filter; pcap beside the flows); a command runs as
// given (argv, no shell; "{tlsprobe}" is this binary) and must print
// timelines on stdout.
[[nodiscard]] std::vector<std::string> agent_command(const scenarios::CaptureVantage& vantage, std::uint16_t port,
                                                     const std::filesystem::path& pcap);

// Throws core::UsageError (field `capture`) for a vantage whose interface
// does not exist here.
void check_capture_interfaces(std::span<const scenarios::CaptureVantage> captures);

// A vantage whose capture cannot be trusted to have seen the whole run.
struct VantageProblem {
    std::string vantage;
    std::string what;   // "stopped before the run ended (exit status 1)"
};

// The capture agents of one run, one per capture vantage.
class CaptureAgents {
public:
    // Starts every agent and waits until each reports ready, so the first
    // probe is on the wire of every vantage. Throws core::EnvironmentError
    // for an agent that fails or stays silent.
    CaptureAgents(std::span<const scenarios::CaptureVantage> captures, std::uint16_t port, const std::filesystem::path& run_dir);

    // Lets late FINs and resets reach the captures for `linger`, then stops
    // every agent (each flushes its open timelines and its drop counts).
    // Returns the agents that stopped early or exited with a failure.
    [[nodiscard]] std::vector<VantageProblem> stop(std::chrono::milliseconds linger);

private:
    std::vector<std::unique_ptr<AgentProcess>> agents_;
};

}  // namespace tlsprobe::runs
