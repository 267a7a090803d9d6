#pragma once
// `tlsprobe hunt`: which source ports the next round of probes binds.
// Fresh ports that cover every bucket still undecided (with a model) or
// random fresh ports (without), re-probes of the tuples whose first try
// failed and an equal sample of passing ones, a third try of every tuple
// whose two tries disagreed, interleaved; nothing once the answer is settled
// or the budget is spent (docs/BUCKETS.md).
#include <cstdint>
#include <map>
#include <random>
#include <span>
#include <vector>

#include "results/bucket_analysis.hpp"
#include "results/hash_model.hpp"
#include "prober/probe_record.hpp"
#include "results/sequential_test.hpp"

namespace tlsprobe::results {

struct HuntConfig {
    const HashModel* model = nullptr;  // none: random ports, stop on an accepted GF(2) fit
    FlowTuple base{};                  // the tuple with src_port to be filled in
    std::uint16_t port_low = 20000;
    std::uint16_t port_high = 29999;
    std::uint64_t budget = 1000;       // probes, re-probes included
    double background = 0.01;
    double alpha = 0.01;
    std::uint64_t seed = 1;
    // Passing tuples re-probed at least, so "0/N passing failed again" means something.
    std::uint64_t min_passing_repeats = 20;
    // Determinism is settled when the repeats show a per-flow fault or this
    // many failing tuples were re-probed (and no bucket is faulty while they
    // look random), so that "random loss" rests on more than one or two repeats. Until then, with a model, the buckets called
    // faulty get fresh ports (their failures are the tuples to re-probe), or
    // every bucket does when none is faulty. When tuples of a faulty bucket
    // disagree between tries, its fresh ports go on until their third tries
    // show flips or this many disagreed.
    std::uint64_t min_failing_repeats = 10;
};

class HuntPlanner {
public:
    // Throws core::UsageError when the model has more buckets than the port range has ports.
    explicit HuntPlanner(const HuntConfig& config);

    // The ports of the next round given every record so far (each port is a
    // tuple: one target, one source address); empty when the hunt is done.
    [[nodiscard]] std::vector<std::uint16_t> next_round(std::span<const prober::ProbeRecord> records);

private:
    // Re-probes this round wants: second tries of failed tuples, third tries
    // of tuples whose two tries disagreed, then passing tuples.
    [[nodiscard]] std::vector<std::uint16_t> repeats(std::span<const TupleHistory> tuples, std::uint64_t room);
    // With a model: fresh ports aimed at buckets, and third tries that
    // settle flips in the faulty buckets.
    [[nodiscard]] std::vector<std::uint16_t> bucket_ports(std::span<const TupleHistory> tuples, std::uint64_t room,
                                                          DeterminismVerdict determinism, bool enough_repeats);
    [[nodiscard]] std::vector<std::uint16_t> fresh_random(std::uint64_t count);
    // While the faulty buckets' tuples show no flips and the question is
    // open: in a faulty bucket where some tuple passed (not a dead bucket),
    // second tries of its passing tuples and third tries of those that
    // failed twice, returned; fresh ports for more of them, added to `wanted`.
    [[nodiscard]] std::vector<std::uint16_t> settle_flips(std::span<const TupleHistory> tuples,
                                                          std::span<const std::size_t> bucket_of_tuple,
                                                          std::span<const std::size_t> faulty,
                                                          std::vector<std::uint64_t>& wanted);
    // Without a model: the GF(2) fit of these records is accepted and
    // predicts every held-out port.
    [[nodiscard]] bool fit_settled(std::span<const prober::ProbeRecord> records) const;
    void plan(std::vector<std::uint16_t>& round, std::uint16_t port);
    // Tuples whose first try failed and whose second try is done or planned.
    [[nodiscard]] std::uint64_t failing_repeated(std::span<const TupleHistory> tuples) const;

    HuntConfig config_;
    std::mt19937_64 random_;
    std::map<std::uint32_t, std::vector<std::uint16_t>> unused_by_bucket_;  // with a model, shuffled
    std::vector<std::uint16_t> unused_;                                     // without, shuffled
    std::vector<std::uint8_t> planned_;  // by port: attempts put in a round so far
    std::uint64_t passing_repeated_ = 0;
    std::uint64_t rounds_ = 0;
};

}  // namespace tlsprobe::results
