#pragma once
// Runs the rounds a HuntPlanner asks for, each as one Fleet run over an
// explicit port list, into one probes.jsonl (docs/BUCKETS.md, "hunt").
#include <chrono>
#include <filesystem>
#include <vector>

#include "prober/client_tls.hpp"
#include "prober/fleet_setup.hpp"
#include "results/hunt_planner.hpp"
#include "prober/probe_record.hpp"
#include "scenarios/run_plan.hpp"

namespace tlsprobe::runs {

struct HuntReport {
    std::vector<prober::ProbeRecord> records;  // as written to probes.jsonl
    std::uint64_t rounds = 0;
    bool interrupted = false;
};

// `plan` is validated once by the caller; its ports and count are replaced
// per round. Between rounds it waits `gap`, so a re-probe meets no state
// left by the tuple's previous attempt. Records are renumbered: probe_id
// runs on across rounds and `attempt` counts per tuple over the whole hunt;
// the t_* times of a record are from the start of its round.
[[nodiscard]] HuntReport run_hunt(const scenarios::RunPlan& plan, const prober::FleetEndpoints& endpoints,
                                  const prober::ClientTls& tls, results::HuntPlanner& planner,
                                  const std::filesystem::path& dir, std::chrono::milliseconds gap);

}  // namespace tlsprobe::runs
