#pragma once
// A scenario: everything a run or a hunt takes, and what compare and the
// canary judge it by. Read from a TOML file with the command line's
// overrides (scenarios/scenario_file.hpp), validated once, written back as
// the run directory's scenario.toml.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scenarios/capture_vantage.hpp"
#include "scenarios/run_plan.hpp"
#include "scenarios/thresholds.hpp"

namespace tlsprobe::scenarios {

struct HuntSettings {
    std::uint64_t budget = 1000;                 // most probes a hunt runs, re-probes included
    std::chrono::milliseconds repeat_gap{2000};  // pause between rounds, so a re-probe meets no state of the last
};

// How many of a canary's run directories are kept: a directory goes when it
// is not among the newest `keep_runs` or older than `keep_days`.
struct Retention {
    std::uint64_t keep_runs = 100;
    double keep_days = 7.0;
};

struct Scenario {
    std::string name;                            // names the scenario in outputs; default: the file's stem
    std::string description;
    RunPlan plan;                                // target, ports, schedule, timeouts, TLS; out_dir from `out`
    std::vector<CaptureVantage> captures;
    std::chrono::milliseconds capture_linger{3000};  // captures run on after the last probe, for late FINs
    std::chrono::milliseconds max_run{0};        // hard wall-clock bound on the whole run (0: none)
    std::string hash_model;                      // the hashing device's model (docs/BUCKETS.md); empty: none
    double background_loss = 0.01;               // failure rate of a healthy bucket
    HuntSettings hunt;
    Thresholds thresholds;
    Retention retention;
    std::string vantage;                         // where the canary probes from (metrics label); empty: the host name
    std::map<std::string, std::string> labels;   // free key/values copied into every output
};

// Every rule across the scenario's settings, the run plan's included (see
// validate(RunPlan&)); returns the plan's notes on caps applied. Throws
// core::UsageError naming the field.
std::vector<std::string> validate(Scenario& scenario);

}  // namespace tlsprobe::scenarios
