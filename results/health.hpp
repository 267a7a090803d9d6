#pragma once
// Whether what a command saw shows the path healthy, unhealthy, or neither.
// "Healthy" needs evidence: probes that reached the wire and, when captures
// were asked for, verdicts that every capture could decide.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prober/probe_record.hpp"
#include "prober/run_stats.hpp"
#include "results/verdict.hpp"
#include "scenarios/thresholds.hpp"

namespace tlsprobe::results {

enum class Health {
    healthy,                 // every probe ended ok and there was something to judge
    unhealthy,               // at least one failure the evidence shows
    insufficient_evidence,   // nothing failed, but too little was seen to call it healthy
};
[[nodiscard]] std::string_view to_string(Health health);
// The health a name of to_string stands for; empty for any other text.
[[nodiscard]] std::optional<Health> health_from_string(std::string_view name);

struct HealthJudgement {
    Health health = Health::insufficient_evidence;
    std::vector<std::string> reasons;   // sentences: why not healthy (empty when healthy)

    // Lowers the judgement to `worse` (unhealthy outranks insufficient evidence) and keeps the reason.
    void lower(Health worse, std::string reason);
    // Both judgements at once: the worse health, every reason.
    void merge(const HealthJudgement& other);
};

// From the client's records alone: unhealthy when probes failed on the path
// at a rate above the scenario's max_failure_rate (by default: any failure);
// insufficient evidence when no probe reached the wire (none ran, or every
// one failed on this host), or fewer than min_probes did.
[[nodiscard]] HealthJudgement judge_outcomes(const prober::RunStats& stats,
                                             const scenarios::Thresholds& thresholds = {});

// From the verdicts: unhealthy when failures exceed the scenario's
// max_failure_rate (by default: any failure), or a forbidden verdict occurs; insufficient
// evidence when any is `unknown` (a capture was missing or stopped early) or
// when there are none.
[[nodiscard]] HealthJudgement judge_verdicts(const std::array<std::uint64_t, verdict_count>& counts,
                                             const scenarios::Thresholds& thresholds = {});

}  // namespace tlsprobe::results
