#include "results/hunt_planner.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "results/bucket_analysis.hpp"
#include "results/errors.hpp"

namespace tlsprobe::results {
namespace {

// Held-out ports needed before an accepted fit ends a hunt without a model.
constexpr std::uint64_t min_held_out = 20;

}  // namespace

HuntPlanner::HuntPlanner(const HuntConfig& config)
    : config_(config), random_(config.seed), repeated_(65536, false)
{
    if (config_.model != nullptr) {
        unused_by_bucket_ = ports_by_bucket(*config_.model, config_.base, config_.port_low, config_.port_high);
        if (unused_by_bucket_.size() < config_.model->bucket_count()) {
            throw UsageError(fmt::format("--ports: {}-{} reaches only {} of the {} buckets of {}", config_.port_low,
                                         config_.port_high, unused_by_bucket_.size(), config_.model->bucket_count(),
                                         config_.model->describe()));
        }
        for (auto& [bucket, ports] : unused_by_bucket_) {
            std::shuffle(ports.begin(), ports.end(), random_);
        }
    } else {
        for (std::uint32_t port = config_.port_low; port <= config_.port_high; ++port) {
            unused_.push_back(static_cast<std::uint16_t>(port));
        }
        std::shuffle(unused_.begin(), unused_.end(), random_);
    }
}

std::vector<std::uint16_t> HuntPlanner::fresh_for_buckets(std::span<const ProbeRecord> records, std::uint64_t room,
                                                          bool determinism_settled)
{
    const auto& model = *config_.model;
    std::vector<BucketCounts> counts(model.bucket_count());
    for (std::uint32_t i = 0; i < counts.size(); ++i) {
        counts[i].bucket = model.first_bucket() + i;
    }
    for (const auto& record : records) {
        if (record.outcome == Outcome::local_error) {
            continue;
        }
        auto tuple = config_.base;
        tuple.src_port = record.src_port;
        auto& entry = counts[model.bucket(tuple) - model.first_bucket()];
        ++entry.probes;
        entry.failures += is_path_failure(record.outcome) ? 1U : 0U;
    }
    const SequentialBucketTest rule({.background = std::max(config_.background, 1e-3),
                                     .faulty_rate = 0.9,
                                     .alpha = config_.alpha,
                                     .beta = 0.05,
                                     .buckets = model.bucket_count()});
    const std::uint64_t buckets = model.bucket_count();
    // The first sweep gives every bucket a share of an eighth of the budget;
    // later rounds top up the undecided ones a few probes at a time.
    // Once every bucket is decided but too few failures were seen to test
    // determinism, every bucket gets fresh probes again, an eighth of the
    // budget per round.
    const bool all_decided = std::all_of(counts.begin(), counts.end(), [&](const BucketCounts& entry) {
        return rule.decide(entry.probes, entry.failures) != SequentialDecision::undecided;
    });
    const bool sweep_all = all_decided && !determinism_settled;
    const std::uint64_t per_bucket =
        rounds_ == 0  ? std::clamp<std::uint64_t>(config_.budget / (8 * buckets), 2, 16)
        : sweep_all ? std::max<std::uint64_t>(1, config_.budget / (8 * buckets))
                      : 4;
    std::vector<std::uint16_t> fresh;
    for (std::uint64_t k = 0; k < per_bucket; ++k) {
        for (const auto& entry : counts) {
            auto& unused = unused_by_bucket_[entry.bucket];
            if (fresh.size() >= room || unused.empty() ||
                (!sweep_all && rule.decide(entry.probes, entry.failures) != SequentialDecision::undecided)) {
                continue;
            }
            fresh.push_back(unused.back());
            unused.pop_back();
        }
    }
    return fresh;
}

std::vector<std::uint16_t> HuntPlanner::fresh_random(std::uint64_t count)
{
    count = std::min<std::uint64_t>(count, unused_.size());
    std::vector<std::uint16_t> fresh(unused_.end() - static_cast<std::ptrdiff_t>(count), unused_.end());
    unused_.resize(unused_.size() - count);
    return fresh;
}

std::vector<std::uint16_t> HuntPlanner::next_round(std::span<const ProbeRecord> records)
{
    if (records.size() >= config_.budget) {
        return {};
    }
    const std::uint64_t room = config_.budget - records.size();
    std::vector<std::uint16_t> round;
    std::vector<std::uint16_t> passing_once;
    std::uint64_t failing_repeated = 0;
    const auto tuples = group_attempts(records);
    // Settled once the repeats already show a per-flow fault, or once enough
    // failing tuples were re-probed to call it random loss.
    const auto determinism = assess_determinism(repeat_table(tuples), config_.alpha).verdict;
    const bool per_flow_shown =
        determinism == DeterminismVerdict::per_flow || determinism == DeterminismVerdict::per_flow_flips;
    for (const auto& history : tuples) {
        const auto port = history.tuple.src_port;
        if (history.failed.size() >= 2 && history.failed[0]) {
            ++failing_repeated;
        }
        if (history.failed.size() != 1 || repeated_[port]) {
            continue;
        }
        if (!history.failed[0]) {
            passing_once.push_back(port);
        } else if (round.size() < room) {
            round.push_back(port);
            repeated_[port] = true;
            ++failing_repeated;
        }
    }
    std::shuffle(passing_once.begin(), passing_once.end(), random_);
    const auto passing_wanted = std::max(config_.min_passing_repeats, failing_repeated);
    for (const auto port : passing_once) {
        if (passing_repeated_ >= passing_wanted || round.size() >= room) {
            break;
        }
        round.push_back(port);
        repeated_[port] = true;
        ++passing_repeated_;
    }

    std::vector<std::uint16_t> fresh;
    if (config_.model != nullptr) {
        fresh = fresh_for_buckets(records, room - round.size(),
                                  per_flow_shown || failing_repeated >= config_.min_failing_repeats);
    } else {
        const auto analysis = analyze_buckets(records, {.background = config_.background, .alpha = config_.alpha});
        const bool settled = analysis.port_fit && analysis.port_fit->fit.accepted() &&
                             analysis.port_fit->held_out.total >= min_held_out;
        if (!settled) {
            const auto wanted = rounds_ == 0 ? room * 2 / 3 : std::max<std::uint64_t>(config_.budget / 6, 1);
            fresh = fresh_random(std::min(wanted, room - round.size()));
        }
    }
    round.insert(round.end(), fresh.begin(), fresh.end());
    std::shuffle(round.begin(), round.end(), random_);
    ++rounds_;
    return round;
}

}  // namespace tlsprobe::results
