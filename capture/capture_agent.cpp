#include "capture/capture_agent.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>

#include "capture/privileges.hpp"
#include "core/errors.hpp"
#include "core/stop_signals.hpp"

namespace tlsprobe::capture {

std::string_view to_string(AgentStop stop)
{
    switch (stop) {
    case AgentStop::duration: return "duration";
    case AgentStop::sigterm: return "sigterm";
    case AgentStop::sigint: return "sigint";
    case AgentStop::stdin_closed: return "stdin_closed";
    }
    return "unknown";
}

namespace {

constexpr int poll_interval_ms = 100;
constexpr std::int64_t pcap_flush_interval_ns = 200'000'000;
// Frames read before looking at signals and the clock again.
constexpr int max_frames_per_drain = 65536;

std::int64_t wall_clock_ns()
{
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// A pipe or socket on stdin belongs to whoever started the agent: its end of
// file means "stop". A terminal, /dev/null or a file does not.
bool stdin_is_control_channel()
{
    struct stat st {};
    return ::fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

}  // namespace

AgentStop run_agent(const AgentOptions& options, const AgentHooks& hooks)
{
    require_user(options.user);
    LiveCapture capture(options.live);
    PcapHandle& handle = capture.handle();
    const LinkType link = handle.link_type();
    std::optional<PcapWriter> writer;
    if (options.pcap_path) {
        writer.emplace(handle, *options.pcap_path);
    }
    hooks.on_ready();
    CaptureSummary summary;
    summary.vantage = options.vantage;
    summary.source_kind = "interface";
    summary.source = options.live.interface;
    summary.privileges = drop_privileges(options.user);
    spdlog::info("capturing on {} ({}), privileges {}", options.live.interface, to_string(link), summary.privileges);

    const core::StopSignals signals;
    const bool watch_stdin = stdin_is_control_channel();
    FramePipeline pipeline(link, options.flows, hooks.on_flow);
    const std::int64_t started = wall_clock_ns();
    std::int64_t last_flush = started;
    bool unflushed = false;

    const auto drain = [&] {
        Frame frame;
        for (int i = 0; i < max_frames_per_drain; ++i) {
            const NextFrame next = handle.next(frame);
            if (next == NextFrame::error) {
                throw core::EnvironmentError(
                    fmt::format("reading from interface {} failed: {}", options.live.interface, handle.error()));
            }
            if (next != NextFrame::frame) {
                return;
            }
            if (writer) {
                writer->write(frame);
                unflushed = true;
            }
            pipeline.on_frame(frame.t_ns, frame.bytes, frame.wire_length);
        }
    };

    std::optional<AgentStop> stop;
    while (!stop) {
        drain();
        const std::int64_t now = wall_clock_ns();
        pipeline.table().expire(now);
        if (writer && unflushed && now - last_flush >= pcap_flush_interval_ns) {
            writer->flush();
            unflushed = false;
            last_flush = now;
        }
        int timeout_ms = poll_interval_ms;
        if (options.duration_ns) {
            const std::int64_t left = started + *options.duration_ns - now;
            if (left <= 0) {
                stop = AgentStop::duration;
                break;
            }
            timeout_ms = static_cast<int>(std::min<std::int64_t>(timeout_ms, left / 1'000'000 + 1));
        }
        std::array<pollfd, 3> fds{{{capture.selectable_fd(), POLLIN, 0},
                                   {signals.fd(), POLLIN, 0},
                                   {watch_stdin ? STDIN_FILENO : -1, POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) {
            throw core::EnvironmentError("poll on the capture handle failed");
        }
        if ((fds[1].revents & POLLIN) != 0) {
            if (const auto signal = signals.take()) {
                stop = *signal == SIGINT ? AgentStop::sigint : AgentStop::sigterm;
            }
        }
        if (!stop && (fds[2].revents & (POLLIN | POLLHUP)) != 0) {
            std::array<char, 512> discard{};
            const ssize_t n = ::read(STDIN_FILENO, discard.data(), discard.size());
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                stop = AgentStop::stdin_closed;
            }
        }
    }
    // Packets queued before the stop may sit in a ring block the kernel has
    // not handed over yet: read until it must have.
    const std::int64_t handover_end =
        wall_clock_ns() + std::chrono::nanoseconds(LiveCapture::handover_limit).count();
    for (std::int64_t now = wall_clock_ns(); now < handover_end; now = wall_clock_ns()) {
        drain();
        pollfd capture_fd{capture.selectable_fd(), POLLIN, 0};
        const auto wait_ms = static_cast<int>((handover_end - now) / 1'000'000 + 1);
        if (::poll(&capture_fd, 1, wait_ms) < 0 && errno != EINTR) {
            throw core::EnvironmentError("poll on the capture handle failed");
        }
    }
    drain();
    summary.kernel = capture.stats();
    summary.stop_reason = std::string(to_string(*stop));
    if (writer) {
        writer->flush();
    }
    pipeline.table().flush(FlowEnd::capture_end);
    hooks.on_summary(summary, pipeline);
    return *stop;
}

}  // namespace tlsprobe::capture
