#pragma once
// The client fleet: worker threads, each with its own io_context, schedule,
// concurrency share and statistics, handing one record per started probe to
// a sink (probes still in flight when a run is interrupted included).
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>

#include "prober/client_tls.hpp"
#include "prober/phase_clock.hpp"
#include "prober/probe_sink.hpp"
#include "prober/run_stats.hpp"
#include "scenarios/run_plan.hpp"

namespace tlsprobe::prober {

struct FleetReport {
    RunStats stats;
    std::uint64_t late_starts = 0;
    bool interrupted = false;   // SIGINT/SIGTERM
    bool hit_bound = false;     // stopped at the plan's stop_after
    double wall_seconds = 0;
};

// How long probes still in flight may finish after SIGINT/SIGTERM; those
// still running then are written with Outcome::interrupted.
inline constexpr std::chrono::seconds interrupt_grace{2};

class Fleet {
public:
    Fleet(const scenarios::RunPlan& plan, boost::asio::ip::tcp::endpoint target, boost::asio::ip::address source,
          const ClientTls& tls, ProbeSink sink);

    // Runs to the end of the plan, its stop_after bound, or SIGINT/SIGTERM. Blocks those
    // signals in the calling thread and the workers; call it from the main thread.
    [[nodiscard]] FleetReport run();

private:
    const scenarios::RunPlan& plan_;
    boost::asio::ip::tcp::endpoint target_;
    boost::asio::ip::address source_;
    const ClientTls& tls_;
    ProbeSink sink_;
};

}  // namespace tlsprobe::prober
