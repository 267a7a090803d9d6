#include "prober/run_stats.hpp"

#include <optional>
#include <utility>

namespace tlsprobe::prober {
namespace {

constexpr std::array<std::string_view, phase_count> phase_names{
    "start_lag", "tcp_connect", "server_hello_wait", "tls_handshake", "time_to_first_byte", "response", "total",
};

using PhaseMember = std::optional<std::int64_t> PhaseTimes::*;
// The (from, to) timestamps of each Phase, in Phase order.
constexpr std::array<std::pair<PhaseMember, PhaseMember>, phase_count> phase_bounds{{
    {&PhaseTimes::scheduled, &PhaseTimes::connect_start},
    {&PhaseTimes::connect_start, &PhaseTimes::established},
    {&PhaseTimes::client_hello, &PhaseTimes::server_hello},
    {&PhaseTimes::established, &PhaseTimes::handshake_done},
    {&PhaseTimes::request, &PhaseTimes::first_byte},
    {&PhaseTimes::first_byte, &PhaseTimes::done},
    {&PhaseTimes::connect_start, &PhaseTimes::closed},
}};

}  // namespace

std::string_view to_string(Phase phase)
{
    return phase_names.at(static_cast<std::size_t>(phase));
}

std::int64_t quantile_value(const LatencyHistogram& histogram, double quantile)
{
    if (quantile == 0.0) {
        return histogram.min();
    }
    if (quantile == 1.0) {
        return histogram.max();
    }
    return histogram.percentile(quantile);
}

void RunStats::add(const ProbeRecord& record)
{
    ++probes_;
    ++outcomes_[static_cast<std::size_t>(record.outcome)];
    for (std::size_t i = 0; i < phase_bounds.size(); ++i) {
        const auto& [from, to] = phase_bounds[i];
        if ((record.t.*from) && (record.t.*to)) {
            phases_[i].record(*(record.t.*to) - *(record.t.*from));
        }
    }
}

void RunStats::merge(const RunStats& other)
{
    probes_ += other.probes_;
    for (std::size_t i = 0; i < outcomes_.size(); ++i) {
        outcomes_[i] += other.outcomes_[i];
    }
    for (std::size_t i = 0; i < phases_.size(); ++i) {
        phases_[i].merge(other.phases_[i]);
    }
}

boost::json::object summary_json(const RunStats& stats, const RunFacts& facts)
{
    boost::json::object outcomes;
    for (int i = 0; i < outcome_count; ++i) {
        const auto outcome = static_cast<Outcome>(i);
        outcomes[to_string(outcome)] = stats.count(outcome);
    }
    boost::json::object phases;
    for (int i = 0; i < phase_count; ++i) {
        const auto phase = static_cast<Phase>(i);
        const auto& histogram = stats.phase(phase);
        boost::json::object entry{{"count", histogram.count()}};
        if (histogram.count() != 0) {
            for (const auto& [name, quantile] : reported_quantiles) {
                entry[std::string(name) + "_ns"] = quantile_value(histogram, quantile);
            }
        }
        phases[to_string(phase)] = std::move(entry);
    }
    return {
        {"target", facts.target},
        {"planned", facts.planned},
        {"probes", stats.probes()},
        {"wall_seconds", facts.wall_seconds},
        {"interrupted", facts.interrupted},
        {"hit_bound", facts.hit_bound},
        {"late_starts", facts.late_starts},
        {"outcomes", std::move(outcomes)},
        {"phases_ns", std::move(phases)},
    };
}

}  // namespace tlsprobe::prober
