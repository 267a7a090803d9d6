#include "results/hunt_planner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "core/errors.hpp"

namespace tlsprobe::results {
namespace {

// Fresh ports per faulty bucket and round while its flips, or a contradiction
// between a faulty bucket and repeats that look random, are open.
constexpr std::uint64_t flip_sample = 4;

// Held-out ports, all predicted right, needed before an accepted fit ends a
// hunt without a model.
constexpr std::uint64_t min_held_out = 20;

}  // namespace

HuntPlanner::HuntPlanner(const HuntConfig& config)
    : config_(config), random_(config.seed), planned_(65536, 0)
{
    if (config_.model != nullptr) {
        unused_by_bucket_ = ports_by_bucket(*config_.model, config_.base, config_.port_low, config_.port_high);
        if (unused_by_bucket_.size() < config_.model->bucket_count()) {
            throw core::UsageError("ports", fmt::format(": {}-{} reaches only {} of the {} buckets of {}",
                                                        config_.port_low, config_.port_high, unused_by_bucket_.size(),
                                                        config_.model->bucket_count(), config_.model->describe()));
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

void HuntPlanner::plan(std::vector<std::uint16_t>& round, std::uint16_t port)
{
    round.push_back(port);
    ++planned_[port];
}

std::uint64_t HuntPlanner::failing_repeated(std::span<const TupleHistory> tuples) const
{
    return static_cast<std::uint64_t>(std::count_if(tuples.begin(), tuples.end(), [this](const TupleHistory& history) {
        return history.failed[0] && planned_[history.tuple.src_port] >= 2;
    }));
}

std::vector<std::uint16_t> HuntPlanner::repeats(std::span<const TupleHistory> tuples, std::uint64_t room)
{
    std::vector<std::uint16_t> round;
    std::vector<std::uint16_t> passing_once;
    for (const auto& history : tuples) {
        const auto port = history.tuple.src_port;
        const auto done = history.failed.size();
        // An attempt that ended in a local error has no place in the history:
        // such a tuple is not chased further.
        if (done != planned_[port]) {
            continue;
        }
        const bool wanted = (done == 1 && history.failed[0]) || (done == 2 && history.mixed());
        if (wanted && round.size() < room) {
            plan(round, port);
        } else if (done == 1 && !history.failed[0]) {
            passing_once.push_back(port);
        }
    }
    const auto passing_wanted = std::max(config_.min_passing_repeats, failing_repeated(tuples));
    std::shuffle(passing_once.begin(), passing_once.end(), random_);
    for (const auto port : passing_once) {
        if (passing_repeated_ >= passing_wanted || round.size() >= room) {
            break;
        }
        plan(round, port);
        ++passing_repeated_;
    }
    return round;
}

std::vector<std::uint16_t> HuntPlanner::settle_flips(std::span<const TupleHistory> tuples,
                                                     std::span<const std::size_t> bucket_of_tuple,
                                                     std::span<const std::size_t> faulty,
                                                     std::vector<std::uint64_t>& wanted)
{
    std::vector<bool> is_faulty(wanted.size(), false);
    for (const auto index : faulty) {
        is_faulty[index] = true;
    }
    std::vector<TupleHistory> in_faulty;
    // A faulty bucket in which some tuple passed its first try is no dead
    // bucket: each try may fail by chance (a flip), or the tuple decides and
    // not this model's bucket.
    std::vector<bool> partial(wanted.size(), false);
    for (std::size_t i = 0; i < tuples.size(); ++i) {
        if (is_faulty[bucket_of_tuple[i]]) {
            in_faulty.push_back(tuples[i]);
            partial[bucket_of_tuple[i]] = partial[bucket_of_tuple[i]] || !tuples[i].failed[0];
        }
    }
    const auto evidence = repeat_evidence(in_faulty);
    const auto result = assess_determinism(evidence, config_.background, config_.alpha);
    if (evidence.flipped > evidence.retried_failed || result.retried_p_value < config_.alpha) {
        return {};
    }
    // Disagreeing tries in a faulty bucket: flips, or background loss; their
    // third tries (repeats) tell, and fresh ports bring more of them.
    const auto disagreeing = evidence.table.failed_passed + evidence.table.passed_failed;
    const bool more_disagreeing = disagreeing > 0 && disagreeing < config_.min_failing_repeats;
    // In a partial bucket, a second try of the tuples that passed and a
    // third of those that failed twice: a flip shows as a change, a tuple
    // that decides keeps its outcome. Up to min_failing_repeats of each.
    std::uint64_t passed_twice = 0;
    std::uint64_t tried_thrice = 0;
    for (const auto& history : in_faulty) {
        passed_twice += history.failed.size() >= 2 && !history.failed[0] ? 1U : 0U;
        tried_thrice += history.failed.size() >= 3 && history.failed[0] && history.failed[1] ? 1U : 0U;
    }
    std::vector<std::uint16_t> tries;
    bool any_partial = false;
    for (std::size_t i = 0; i < tuples.size(); ++i) {
        const auto& history = tuples[i];
        const auto port = history.tuple.src_port;
        if (!partial[bucket_of_tuple[i]] || history.failed.size() != planned_[port]) {
            continue;
        }
        any_partial = true;
        if (history.failed.size() == 1 && !history.failed[0] && passed_twice < config_.min_failing_repeats) {
            plan(tries, port);
            ++passed_twice;
        } else if (history.failed.size() == 2 && history.always_failed() &&
                   tried_thrice < config_.min_failing_repeats) {
            plan(tries, port);
            ++tried_thrice;
        }
    }
    const bool more_partial = any_partial && (passed_twice < config_.min_failing_repeats ||
                                              tried_thrice < config_.min_failing_repeats);
    if (more_disagreeing || more_partial) {
        for (const auto index : faulty) {
            wanted[index] += flip_sample;
        }
    }
    return tries;
}

std::vector<std::uint16_t> HuntPlanner::bucket_ports(std::span<const TupleHistory> tuples, std::uint64_t room,
                                                     DeterminismVerdict determinism, bool enough_repeats)
{
    const auto& model = *config_.model;
    const std::uint64_t buckets = model.bucket_count();
    std::vector<BucketCounts> counts(buckets);
    std::vector<std::uint64_t> first_failed(buckets, 0);
    std::vector<std::size_t> bucket_of_tuple;
    for (std::uint32_t i = 0; i < counts.size(); ++i) {
        counts[i].bucket = model.first_bucket() + i;
    }
    for (const auto& history : tuples) {
        auto tuple = config_.base;
        tuple.src_port = history.tuple.src_port;
        const auto index = model.bucket(tuple) - model.first_bucket();
        bucket_of_tuple.push_back(index);
        counts[index].probes += history.failed.size();
        counts[index].failures += history.failures();
        first_failed[index] += history.failed[0] ? 1U : 0U;
    }
    // beta 0.2: one passing probe takes a bucket off the list of dead
    // buckets (a bucket failing 90% of its tries passes one with chance 0.1);
    // a dead bucket never passes, and a bucket that fails only some tries is
    // the exact tests' and settle_flips' to find.
    const SequentialBucketTest rule({.background = std::max(config_.background, 1e-3),
                                     .faulty_rate = 0.9,
                                     .alpha = config_.alpha,
                                     .beta = 0.2,
                                     .buckets = model.bucket_count()});
    // The first sweep gives every bucket a share of an eighth of the budget
    // (1 to 16 probes); later rounds give each undecided bucket the fewest
    // probes that could decide it.
    std::vector<std::uint64_t> wanted(buckets, 0);
    std::vector<std::size_t> faulty;
    bool all_decided = true;
    const std::uint64_t sweep = std::clamp<std::uint64_t>(config_.budget / (8 * buckets), 1, 16);
    // Faulty: by the sequential test, or by the exact tests the report will
    // make (a bucket that fails a third of its tries can pass the sequential
    // test's "clean" bound, which is set for dead buckets).
    const auto exact = test_buckets(counts, {.background = config_.background, .alpha = config_.alpha});
    for (std::size_t i = 0; i < buckets; ++i) {
        const auto decision = rule.decide(counts[i].probes, counts[i].failures);
        wanted[i] = rounds_ == 0 ? sweep : rule.probes_to_decide(counts[i].probes, counts[i].failures);
        all_decided = all_decided && decision != SequentialDecision::undecided;
        if (decision == SequentialDecision::faulty || exact[i].verdict == BucketVerdict::faulty) {
            faulty.push_back(i);
        }
    }
    // Until determinism is settled, failing tuples to re-probe come from
    // fresh ports of the faulty buckets; with none faulty, from every bucket
    // once all are decided. A faulty bucket while the repeats look like
    // random loss is a contradiction (a fault that hits only some tries of
    // a flow, or a bucket called faulty by chance): its probing goes on.
    const bool per_flow_shown =
        determinism == DeterminismVerdict::per_flow || determinism == DeterminismVerdict::per_flow_flips;
    const bool nothing_failed = std::all_of(counts.begin(), counts.end(),
                                            [](const BucketCounts& entry) { return entry.failures == 0; });
    const bool settled = per_flow_shown || (nothing_failed && all_decided) ||
                         (enough_repeats && (faulty.empty() || determinism != DeterminismVerdict::random_loss));
    if (rounds_ != 0 && !settled) {
        if (!faulty.empty()) {
            std::uint64_t failing = 0;
            for (const auto index : faulty) {
                failing += first_failed[index];
                wanted[index] += enough_repeats ? flip_sample : 0;
            }
            for (std::uint64_t k = 0; failing + k < config_.min_failing_repeats; ++k) {
                ++wanted[faulty[k % faulty.size()]];
            }
        } else if (all_decided) {
            std::fill(wanted.begin(), wanted.end(), std::max<std::uint64_t>(1, config_.budget / (8 * buckets)));
        }
    }
    auto ports = settle_flips(tuples, bucket_of_tuple, faulty, wanted);
    room -= std::min<std::uint64_t>(room, ports.size());
    std::vector<std::uint16_t> fresh;
    const auto most = *std::max_element(wanted.begin(), wanted.end());
    for (std::uint64_t k = 0; k < most; ++k) {
        for (std::size_t i = 0; i < buckets; ++i) {
            auto& unused = unused_by_bucket_[counts[i].bucket];
            if (k < wanted[i] && !unused.empty() && fresh.size() < room) {
                plan(fresh, unused.back());
                unused.pop_back();
            }
        }
    }
    ports.insert(ports.end(), fresh.begin(), fresh.end());
    return ports;
}

std::vector<std::uint16_t> HuntPlanner::fresh_random(std::uint64_t count)
{
    count = std::min<std::uint64_t>(count, unused_.size());
    std::vector<std::uint16_t> fresh;
    for (std::uint64_t i = 0; i < count; ++i) {
        plan(fresh, unused_.back());
        unused_.pop_back();
    }
    return fresh;
}

bool HuntPlanner::fit_settled(std::span<const prober::ProbeRecord> records) const
{
    const auto analysis = analyze_buckets(records, {.background = config_.background, .alpha = config_.alpha});
    // A span that misses a dimension of the fault predicts some failing
    // held-out port to pass: probe on until the held-out ports agree.
    return analysis.port_fit && analysis.port_fit->fit.accepted() && analysis.port_fit->held_out.total >= min_held_out &&
           analysis.port_fit->held_out.correct == analysis.port_fit->held_out.total;
}

std::vector<std::uint16_t> HuntPlanner::next_round(std::span<const prober::ProbeRecord> records)
{
    if (records.size() >= config_.budget) {
        return {};
    }
    const std::uint64_t room = config_.budget - records.size();
    const auto tuples = group_attempts(records);
    auto round = repeats(tuples, room);

    std::vector<std::uint16_t> fresh;
    if (config_.model != nullptr) {
        const auto verdict = assess_determinism(repeat_evidence(tuples), config_.background, config_.alpha).verdict;
        fresh = bucket_ports(tuples, room - round.size(), verdict,
                             failing_repeated(tuples) >= config_.min_failing_repeats);
    } else {
        // A first failure whose re-probe is still to come may be background
        // loss, which would put passing ports into the span: the fit is tried
        // with those failures (to stop fresh probing as soon as it could be
        // settled, pending their re-probes) and without them (confirmed labels).
        std::vector<bool> pending(65536, false);
        for (const auto& history : tuples) {
            pending[history.tuple.src_port] = history.failed.size() == 1 && history.failed[0];
        }
        std::vector<prober::ProbeRecord> confirmed;
        std::copy_if(records.begin(), records.end(), std::back_inserter(confirmed),
                     [&pending](const prober::ProbeRecord& record) { return !pending[record.src_port]; });
        const bool settled = fit_settled(records) || fit_settled(confirmed);
        if (!settled) {
            // The fit is tried after every round: small rounds stop a hunt
            // that fits soon after it could, at the price of more rounds.
            const std::uint64_t wanted = rounds_ == 0 ? 256 : 128;
            fresh = fresh_random(std::min(wanted, room - round.size()));
        }
    }
    round.insert(round.end(), fresh.begin(), fresh.end());
    std::shuffle(round.begin(), round.end(), random_);
    ++rounds_;
    return round;
}

}  // namespace tlsprobe::results
