#include "results/health.hpp"

#include <fmt/format.h>

namespace tlsprobe::results {
namespace {

std::uint64_t count_of(const std::array<std::uint64_t, verdict_count>& counts, Verdict verdict)
{
    return counts[static_cast<std::size_t>(verdict)];
}

}  // namespace

std::string_view to_string(Health health)
{
    switch (health) {
    case Health::healthy: return "healthy";
    case Health::unhealthy: return "unhealthy";
    case Health::insufficient_evidence: return "insufficient_evidence";
    }
    return "insufficient_evidence";
}

std::optional<Health> health_from_string(std::string_view name)
{
    for (const auto health : {Health::healthy, Health::unhealthy, Health::insufficient_evidence}) {
        if (to_string(health) == name) {
            return health;
        }
    }
    return std::nullopt;
}

void HealthJudgement::lower(Health worse, std::string reason)
{
    if (worse == Health::unhealthy || health == Health::healthy) {
        health = worse;
    }
    reasons.push_back(std::move(reason));
}

void HealthJudgement::merge(const HealthJudgement& other)
{
    for (const auto& reason : other.reasons) {
        lower(other.health, reason);
    }
}

HealthJudgement judge_outcomes(const prober::RunStats& stats, const scenarios::Thresholds& thresholds)
{
    HealthJudgement judgement{.health = Health::healthy, .reasons = {}};
    const auto probes = stats.probes();
    std::uint64_t path_failures = 0;
    // Probes that say nothing of the path: failures of this host
    // (local_error) and probes the run stopped before they ended
    // (interrupted). Only `ok` probes can show the path healthy.
    std::uint64_t silent_on_path = 0;
    for (int i = 0; i < prober::outcome_count; ++i) {
        const auto outcome = static_cast<prober::Outcome>(i);
        if (prober::is_path_failure(outcome)) {
            path_failures += stats.count(outcome);
        } else if (outcome != prober::Outcome::ok) {
            silent_on_path += stats.count(outcome);
        }
    }
    const auto judged = probes - silent_on_path;
    const auto failure_rate = judged == 0 ? 0.0 : static_cast<double>(path_failures) / static_cast<double>(judged);
    if (path_failures != 0 && failure_rate > thresholds.max_failure_rate) {
        judgement.lower(Health::unhealthy,
                        thresholds.max_failure_rate == 0.0
                            ? fmt::format("{} of {} probes failed", path_failures, probes)
                            : fmt::format("{} of {} probes that reached the path failed ({:.2f}%, above the "
                                          "scenario's max_failure_rate of {:.2f}%)",
                                          path_failures, judged, 100.0 * failure_rate,
                                          100.0 * thresholds.max_failure_rate));
    }
    if (judged != 0 && judged < thresholds.min_probes) {
        judgement.lower(Health::insufficient_evidence,
                        fmt::format("only {} probes reached the path; the scenario needs at least {} (min_probes) "
                                    "to judge it",
                                    judged, thresholds.min_probes));
    }
    if (probes == 0) {
        judgement.lower(Health::insufficient_evidence, "no probe ran, so nothing was shown healthy");
    } else if (silent_on_path == probes) {
        judgement.lower(Health::insufficient_evidence,
                        fmt::format("none of the {} probes ended on the path (each ended on this host, "
                                    "e.g. local_error, or was interrupted): nothing was shown healthy",
                                    probes));
    }
    return judgement;
}

HealthJudgement judge_verdicts(const std::array<std::uint64_t, verdict_count>& counts,
                               const scenarios::Thresholds& thresholds)
{
    HealthJudgement judgement{.health = Health::healthy, .reasons = {}};
    std::uint64_t total = 0;
    std::uint64_t failed = 0;
    for (int i = 0; i < verdict_count; ++i) {
        const auto verdict = static_cast<Verdict>(i);
        total += counts[static_cast<std::size_t>(i)];
        if (verdict != Verdict::ok && verdict != Verdict::local_error && verdict != Verdict::unknown) {
            failed += counts[static_cast<std::size_t>(i)];
        }
    }
    const auto decided = total - count_of(counts, Verdict::unknown) - count_of(counts, Verdict::local_error);
    const auto failure_rate = decided == 0 ? 0.0 : static_cast<double>(failed) / static_cast<double>(decided);
    if (failed != 0 && failure_rate > thresholds.max_failure_rate) {
        judgement.lower(Health::unhealthy, fmt::format("{} of {} connections failed on the path", failed, total));
    }
    for (const auto& name : thresholds.forbidden_verdicts) {
        const auto verdict = verdict_from_string(name);
        if (verdict && count_of(counts, *verdict) != 0) {
            judgement.lower(Health::unhealthy, fmt::format("{} connection(s) have verdict {}, which the scenario "
                                                           "forbids (forbidden_verdicts)",
                                                           count_of(counts, *verdict), name));
        }
    }
    if (const auto unknown = count_of(counts, Verdict::unknown); unknown != 0) {
        judgement.lower(Health::insufficient_evidence,
                        fmt::format("{} of {} connections have verdict unknown: the evidence does not decide them",
                                    unknown, total));
    }
    const auto local = count_of(counts, Verdict::local_error);
    if (total == local) {
        judgement.lower(Health::insufficient_evidence,
                        total == 0 ? std::string("no connection to judge")
                                   : fmt::format("none of the {} probes reached the wire", total));
    }
    return judgement;
}

}  // namespace tlsprobe::results
