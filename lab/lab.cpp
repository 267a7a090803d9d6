#include "lab/lab.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <thread>

#include "lab/process.hpp"
#include "lab/topology.hpp"
#include "core/errors.hpp"

namespace tlsprobe::lab {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto ready_timeout = std::chrono::seconds(10);
constexpr auto stop_timeout = std::chrono::seconds(3);
// Polling interval while waiting for a process to listen or to exit; both
// are events in another process that this one cannot await.
constexpr auto poll_interval = std::chrono::milliseconds(20);

void write_file(const std::filesystem::path& path, std::string_view content)
{
    std::ofstream out(path, std::ios::trunc);
    out << content;
    if (!out.flush()) {
        throw core::EnvironmentError(fmt::format("cannot write {}", path.string()));
    }
}

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The inode of a network namespace, to tell whether a pid lives in it.
std::optional<ino_t> netns_inode(const std::filesystem::path& path)
{
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        return std::nullopt;
    }
    return info.st_ino;
}

bool gone(pid_t pid)
{
    int status = 0;
    // Our own children (a rollback inside `up`) must be reaped; others are
    // reaped by init and vanish.
    if (::waitpid(pid, &status, WNOHANG) == pid) {
        return true;
    }
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

void stop_process(pid_t pid, std::string_view what)
{
    if (gone(pid)) {
        return;
    }
    spdlog::debug("stopping {} (pid {})", what, pid);
    ::kill(pid, SIGTERM);
    const auto deadline = Clock::now() + stop_timeout;
    while (!gone(pid)) {
        if (Clock::now() > deadline) {
            spdlog::warn("{} (pid {}) ignored SIGTERM for {} s; killing it", what, pid, stop_timeout.count());
            ::kill(pid, SIGKILL);
            while (!gone(pid)) {
                std::this_thread::sleep_for(poll_interval);
            }
            return;
        }
        std::this_thread::sleep_for(poll_interval);
    }
}

bool in_lab_namespace(pid_t pid)
{
    const auto mine = netns_inode(fmt::format("/proc/{}/ns/net", pid));
    if (!mine) {
        return false;
    }
    for (const auto& netns : lab_namespaces()) {
        if (netns_inode(std::filesystem::path("/run/netns") / netns) == mine) {
            return true;
        }
    }
    return false;
}

std::vector<pid_t> pids_in(const std::string& netns)
{
    const std::vector<std::string> argv{"ip", "netns", "pids", netns};
    const auto result = run_process(argv);
    std::vector<pid_t> pids;
    std::istringstream in(result.out);
    pid_t pid = 0;
    while (in >> pid) {
        pids.push_back(pid);
    }
    return pids;
}

std::string last_lines(const std::filesystem::path& log)
{
    auto text = read_file(log);
    while (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    const auto start = text.rfind('\n', text.size() > 400 ? text.size() - 400 : 0);
    auto tail = text.substr(start == std::string::npos ? 0 : start + 1);
    for (auto& c : tail) {
        if (c == '\n') {
            c = ' ';
        }
    }
    return tail;
}

bool listening(const std::string& netns, std::uint16_t port)
{
    const std::vector<std::string> argv{"ss", "-N", netns, "-H", "-l", "-t", "-n", "sport", "=", fmt::format(":{}", port)};
    const auto result = run_process(argv);
    return result.status == 0 && !result.out.empty();
}

// Starts `argv` inside `netns` and waits until it listens on `port`.
void start_service(std::string_view name, const std::string& netns, std::uint16_t port, std::vector<std::string> argv)
{
    argv.insert(argv.begin(), {"ip", "netns", "exec", netns});
    const auto log = StateFiles::log(name);
    spdlog::debug("starting {}: {}", name, describe_command(argv));
    const pid_t pid = spawn_detached(argv, log);
    write_file(StateFiles::pid(name), fmt::format("{}\n", pid));
    const auto deadline = Clock::now() + ready_timeout;
    while (!listening(netns, port)) {
        if (gone(pid)) {
            throw core::EnvironmentError(fmt::format("{} in {} exited before listening on port {}: {}", name, netns, port,
                                               last_lines(log)));
        }
        if (Clock::now() > deadline) {
            throw core::EnvironmentError(fmt::format("{} in {} is not listening on port {} after {} s (log {})", name, netns,
                                               port, ready_timeout.count(), log.string()));
        }
        std::this_thread::sleep_for(poll_interval);
    }
}

void build(const LabConfig& config, const std::filesystem::path& tlsprobe_exe)
{
    const auto plan = plan_topology(config);
    for (const auto& netns : plan.namespaces) {
        run_checked(std::vector<std::string>{"ip", "netns", "add", netns});
    }
    for (const auto& command : plan.commands) {
        run_checked(command);
    }
    for (const auto& ruleset : plan.rulesets) {
        run_checked(std::vector<std::string>{"ip", "netns", "exec", ruleset.netns, "nft", "-f", "-"}, ruleset.text);
    }

    std::vector<std::string> serve{tlsprobe_exe.string(), "serve", "--listen", fmt::format("{}:{}", server_ip, server_port)};
    if (config.server_behaviour == ServerBehaviour::silent) {
        serve.insert(serve.end(), {"--behaviour", "silent"});
    }
    start_service("serve", namespace_name("server"), server_port, serve);
    if (config.proxy) {
        start_service("relay", namespace_name("proxy"), relay_port,
                      {tlsprobe_exe.string(), "lab", "relay", "--listen", fmt::format("{}:{}", relay_ip, relay_port),
                       "--connect", fmt::format("{}:{}", server_ip, server_port), "--source",
                       std::string(relay_source_ip), "--ttl", std::to_string(relay_ttl),
                       "--log", StateFiles::relay_connections().string()});
    }
}

// Serialises lab commands machine-wide, so two `up`s cannot both find the
// lab down and build it twice. Released when the process exits.
class LabLock {
public:
    LabLock() : fd_(::open("/run/tlsprobe-lab.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600))
    {
        if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
            throw core::EnvironmentError(fmt::format("cannot lock /run/tlsprobe-lab.lock: {}", std::strerror(errno)));
        }
    }
    LabLock(const LabLock&) = delete;
    LabLock& operator=(const LabLock&) = delete;
    ~LabLock() { ::close(fd_); }

private:
    int fd_;
};

std::vector<std::string> remove_lab()
{
    std::error_code ignored;
    if (std::filesystem::is_directory(state_dir)) {
        for (const auto& entry : std::filesystem::directory_iterator(state_dir)) {
            if (entry.path().extension() != ".pid") {
                continue;
            }
            const pid_t pid = static_cast<pid_t>(std::atoi(read_file(entry.path()).c_str()));
            // A stale pid file must never make us kill an unrelated process.
            if (pid > 0 && in_lab_namespace(pid)) {
                stop_process(pid, entry.path().stem().string());
            }
        }
    }
    const auto namespaces = lab_namespaces();
    for (const auto& netns : namespaces) {
        // A namespace lives on while a process runs in it: stop whatever
        // else was started there (a prober run, a capture) before deleting.
        for (const pid_t pid : pids_in(netns)) {
            spdlog::warn("stopping pid {} still running in {}", pid, netns);
            stop_process(pid, fmt::format("process in {}", netns));
        }
    }
    for (const auto& netns : namespaces) {
        run_checked(std::vector<std::string>{"ip", "netns", "delete", netns});
    }
    std::filesystem::remove_all(state_dir, ignored);
    return namespaces;
}

}  // namespace

std::vector<std::string> lab_namespaces()
{
    const auto listing = run_checked(std::vector<std::string>{"ip", "netns", "list"});
    std::vector<std::string> out;
    std::istringstream in(listing);
    std::string line;
    while (std::getline(in, line)) {
        const auto name = line.substr(0, line.find(' '));
        if (name.starts_with(namespace_prefix)) {
            out.push_back(name);
        }
    }
    return out;
}

void lab_up(const LabConfig& config, const std::filesystem::path& tlsprobe_exe)
{
    validate(config);
    if (::geteuid() != 0) {
        throw core::EnvironmentError("lab up needs root (network namespaces, veths and nftables need CAP_NET_ADMIN)");
    }
    const LabLock lock;
    if (const auto existing = lab_namespaces(); !existing.empty()) {
        throw core::UsageError(fmt::format("the lab is already up (namespace {} exists); run `tlsprobe lab down` first",
                                     existing.front()));
    }
    if (std::filesystem::exists(StateFiles::config())) {
        throw core::UsageError(fmt::format("the lab is already up ({} exists); run `tlsprobe lab down` first",
                                     StateFiles::config().string()));
    }
    try {
        std::filesystem::create_directories(state_dir);
        build(config, tlsprobe_exe);
        write_file(StateFiles::config(), boost::json::serialize(to_json(config)) + "\n");
    } catch (...) {
        spdlog::error("lab up failed; removing what was built");
        remove_lab();
        throw;
    }
}

std::vector<std::string> lab_down()
{
    const LabLock lock;
    return remove_lab();
}


LabConfig installed_config()
{
    const auto path = StateFiles::config();
    if (!std::filesystem::exists(path)) {
        throw core::UsageError("the lab is not up; run `tlsprobe lab up` first");
    }
    boost::system::error_code error;
    const auto document = boost::json::parse(read_file(path), error);
    if (error) {
        throw core::InputError(fmt::format("{}: {}", path.string(), error.message()));
    }
    return config_from_json(document, path.string());
}

}  // namespace tlsprobe::lab
