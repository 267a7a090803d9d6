#include "results/run_comparison.hpp"

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "results/bucket_analysis.hpp"
#include "results/hash_model.hpp"
#include "results/sample_size.hpp"

namespace tlsprobe::results {
namespace {

// The confidence of the Wilson intervals shown beside each rate.
constexpr double interval_confidence = 0.95;

std::string percent(double rate)
{
    return rate != 0.0 && rate < 0.1 ? fmt::format("{:.2f}%", 100.0 * rate) : fmt::format("{:.1f}%", 100.0 * rate);
}

std::string milliseconds(double ns)
{
    return fmt::format("{:.3f} ms", ns / 1e6);
}

std::string signed_milliseconds(double ns)
{
    return fmt::format("{:+.3f} ms", ns / 1e6);
}

// "p = 0.0123", or "p < 1e-300" when it underflowed.
std::string p_is(double p)
{
    const auto text = p_value_text(p);
    return text.starts_with("<") ? "p < " + text.substr(1) : "p = " + text;
}

double share(std::uint64_t events, std::uint64_t of)
{
    return of == 0 ? 0.0 : static_cast<double>(events) / static_cast<double>(of);
}

RunSide side_of(const RunMeasurements& run)
{
    RunSide side;
    side.dir = run.dir;
    side.name = run.name;
    side.sha256 = run.sha256;
    side.probes = run.probes.size();
    for (const auto& probe : run.probes) {
        if (prober::judges_the_path(probe.outcome)) {
            ++side.judged;
            side.failed += prober::is_path_failure(probe.outcome) ? 1U : 0U;
        } else {
            ++(probe.outcome == prober::Outcome::local_error ? side.local_errors : side.interrupted);
        }
    }
    side.stopped = run.interrupted;
    return side;
}

RateRow rate_row(RateKind kind, std::string name, std::uint64_t before, std::uint64_t before_of, std::uint64_t after,
                 std::uint64_t after_of)
{
    RateRow row;
    row.kind = kind;
    row.name = std::move(name);
    row.before = before;
    row.before_of = before_of;
    row.after = after;
    row.after_of = after_of;
    row.before_rate = wilson_interval(before, before_of, interval_confidence);
    row.after_rate = wilson_interval(after, after_of, interval_confidence);
    row.difference = row.after_share() - row.before_share();
    row.p_value = fisher_exact_two_sided({.events_1 = before, .trials_1 = before_of, .events_2 = after,
                                          .trials_2 = after_of});
    return row;
}

// Holm over one family; a row moves when its adjusted p is below alpha.
void judge_family(std::vector<RateRow>& rows, double alpha)
{
    std::vector<double> p_values;
    for (const auto& row : rows) {
        p_values.push_back(row.p_value);
    }
    const auto adjusted = holm_adjust(p_values);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        rows[i].p_adjusted = adjusted[i];
        if (adjusted[i] < alpha) {
            rows[i].change = rows[i].difference > 0.0 ? Change::worse : rows[i].difference < 0.0 ? Change::better
                                                                                                 : Change::none;
        }
    }
}

std::vector<RateRow> rate_rows(const RunMeasurements& before, const RunMeasurements& after, const RunSide& b,
                               const RunSide& a)
{
    std::vector<RateRow> rows;
    rows.push_back(rate_row(RateKind::failed, "failed", b.failed, b.judged, a.failed, a.judged));
    std::array<std::uint64_t, prober::outcome_count> before_counts{};
    std::array<std::uint64_t, prober::outcome_count> after_counts{};
    for (const auto& probe : before.probes) {
        ++before_counts[static_cast<std::size_t>(probe.outcome)];
    }
    for (const auto& probe : after.probes) {
        ++after_counts[static_cast<std::size_t>(probe.outcome)];
    }
    for (int i = 0; i < prober::outcome_count; ++i) {
        const auto outcome = static_cast<prober::Outcome>(i);
        const auto index = static_cast<std::size_t>(i);
        if (prober::is_path_failure(outcome) && before_counts[index] + after_counts[index] != 0) {
            rows.push_back(rate_row(RateKind::outcome, std::string(prober::to_string(outcome)), before_counts[index],
                                    b.judged, after_counts[index], a.judged));
        }
    }
    if (before.verdicts && after.verdicts) {
        // Verdicts that decided something: local_error never reached the
        // wire, unknown is evidence missing, neither says how the path did.
        const auto decided = [](const std::array<std::uint64_t, verdict_count>& counts) {
            std::uint64_t total = 0;
            for (int i = 0; i < verdict_count; ++i) {
                const auto verdict = static_cast<Verdict>(i);
                total += verdict == Verdict::local_error || verdict == Verdict::unknown
                             ? 0U
                             : counts[static_cast<std::size_t>(i)];
            }
            return total;
        };
        const auto before_of = decided(*before.verdicts);
        const auto after_of = decided(*after.verdicts);
        for (int i = 0; i < verdict_count; ++i) {
            const auto verdict = static_cast<Verdict>(i);
            const auto index = static_cast<std::size_t>(i);
            const auto x = (*before.verdicts)[index];
            const auto y = (*after.verdicts)[index];
            if (verdict != Verdict::ok && verdict != Verdict::local_error && verdict != Verdict::unknown &&
                x + y != 0) {
                rows.push_back(rate_row(RateKind::verdict, std::string(to_string(verdict)), x, before_of, y, after_of));
            }
        }
    }
    return rows;
}

std::vector<BucketResult> bucket_counts(const RunMeasurements& run, const HashModel& model)
{
    return analyze_buckets(run.hashed_probes,
                           {.model = &model, .background = run.background_loss, .alpha = run.thresholds.alpha})
        .buckets;
}

// The buckets both runs probed, and why there are none.
std::vector<RateRow> bucket_rows(const RunMeasurements& before, const RunMeasurements& after, std::string& model_spec,
                                 std::vector<std::string>& findings)
{
    if (before.hash_model.empty() && after.hash_model.empty()) {
        return {};
    }
    if (before.hash_model.empty() || after.hash_model.empty()) {
        findings.push_back(fmt::format("Buckets were not compared: only the {} run has a hash model.",
                                       before.hash_model.empty() ? "after" : "before"));
        return {};
    }
    const auto before_model = parse_hash_model(before.hash_model);
    const auto after_model = parse_hash_model(after.hash_model);
    if (before_model->describe() != after_model->describe()) {
        findings.push_back(fmt::format("Buckets were not compared: the runs have different hash models ({} and {}).",
                                       before_model->describe(), after_model->describe()));
        return {};
    }
    if (before.hashed_probes.empty() || after.hashed_probes.empty()) {
        return {};
    }
    model_spec = after_model->describe();
    const auto before_buckets = bucket_counts(before, *before_model);
    const auto after_buckets = bucket_counts(after, *after_model);
    std::vector<RateRow> rows;
    for (std::size_t i = 0; i < before_buckets.size() && i < after_buckets.size(); ++i) {
        const auto& x = before_buckets[i];
        const auto& y = after_buckets[i];
        if (x.probes != 0 && y.probes != 0) {
            rows.push_back(rate_row(RateKind::bucket, std::to_string(x.bucket), x.failures, x.probes, y.failures,
                                    y.probes));
        }
    }
    return rows;
}

std::optional<std::int64_t> phase_latency(const prober::PhaseTimes& t, LatencyPhase phase)
{
    const auto between = [](const std::optional<std::int64_t>& from,
                            const std::optional<std::int64_t>& to) -> std::optional<std::int64_t> {
        if (!from || !to || *to < *from) {
            return std::nullopt;
        }
        return *to - *from;
    };
    switch (phase) {
    case LatencyPhase::connect: return between(t.connect_start, t.established);
    case LatencyPhase::tls_handshake: return between(t.client_hello, t.handshake_done);
    case LatencyPhase::first_byte: return between(t.request, t.first_byte);
    case LatencyPhase::total: return between(t.connect_start, t.done ? t.done : t.closed);
    }
    return std::nullopt;
}

std::vector<std::int64_t> latencies(std::span<const prober::ProbeRecord> probes, LatencyPhase phase)
{
    std::vector<std::int64_t> values;
    for (const auto& probe : probes) {
        if (probe.outcome != prober::Outcome::ok) {
            continue;
        }
        if (const auto value = phase_latency(probe.t, phase)) {
            values.push_back(*value);
        }
    }
    std::ranges::sort(values);
    return values;
}

// Nearest rank: the smallest value with at least q of the sample at or below it.
std::int64_t nearest_rank(std::span<const std::int64_t> sorted, double q)
{
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

std::vector<LatencyRow> latency_rows(const RunMeasurements& before, const RunMeasurements& after,
                                     const scenarios::Thresholds& thresholds)
{
    std::vector<LatencyRow> rows;
    for (int i = 0; i < latency_phase_count; ++i) {
        const auto phase = static_cast<LatencyPhase>(i);
        const auto x = latencies(before.probes, phase);
        const auto y = latencies(after.probes, phase);
        if (x.empty() || y.empty()) {
            continue;
        }
        LatencyRow row;
        row.phase = phase;
        row.before_samples = x.size();
        row.after_samples = y.size();
        row.before_median_ns = nearest_rank(x, 0.5);
        row.before_p99_ns = nearest_rank(x, 0.99);
        row.after_median_ns = nearest_rank(y, 0.5);
        row.after_p99_ns = nearest_rank(y, 0.99);
        row.shift = hodges_lehmann_shift(x, y, 1.0 - thresholds.alpha);
        row.tolerance_ns = std::max(thresholds.latency_tolerance_ratio * static_cast<double>(row.before_median_ns),
                                    thresholds.latency_tolerance_ms * 1e6);
        row.test = mann_whitney(x, y);
        rows.push_back(row);
    }
    std::vector<double> p_values;
    for (const auto& row : rows) {
        p_values.push_back(row.test.p_value);
    }
    const auto adjusted = holm_adjust(p_values);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto& row = rows[i];
        row.p_adjusted = adjusted[i];
        row.significant = adjusted[i] < thresholds.alpha;
        // Kayenta's rule: significant and large enough.
        if (row.significant && std::fabs(row.shift.estimate) > row.tolerance_ns) {
            row.change = row.shift.estimate > 0.0 ? Change::worse : Change::better;
        }
    }
    return rows;
}

PowerCheck power_check(const RunSide& before, const RunSide& after, const scenarios::Thresholds& thresholds,
                       std::size_t family_rows)
{
    PowerCheck power;
    power.baseline = share(before.failed, before.judged);
    power.rise = thresholds.min_rate_change;
    power.alpha_per_row = thresholds.alpha / static_cast<double>(std::max<std::size_t>(family_rows, 1));
    const double target = std::min(1.0, power.baseline + power.rise);
    // A baseline so high that the rise cannot happen: a fall of the same
    // size is what the runs must be able to see instead.
    const double other = target > power.baseline ? target : std::max(0.0, power.baseline - power.rise);
    power.needed = two_proportion_sample_size(power.baseline, other, power.alpha_per_row, thresholds.power);
    power.adequate = power.needed != 0 && before.judged >= power.needed && after.judged >= power.needed;
    return power;
}

std::string rate_text(const RateRow& row)
{
    return fmt::format("{} ({} of {})", percent(row.before_share()), row.before, row.before_of) + " to " +
           fmt::format("{} ({} of {})", percent(row.after_share()), row.after, row.after_of);
}

std::string row_label(const RateRow& row)
{
    switch (row.kind) {
    case RateKind::failed: return "failed rate";
    case RateKind::outcome: return row.name + " rate";
    case RateKind::verdict: return "verdict " + row.name + " rate";
    case RateKind::bucket: return "bucket " + row.name + " failure rate";
    }
    return row.name;
}

std::string rate_headline(const RateRow& row)
{
    return fmt::format("{} {} -> {} ({}, Holm)", row_label(row), percent(row.before_share()),
                       percent(row.after_share()), p_is(row.p_adjusted));
}

std::string latency_headline(const LatencyRow& row)
{
    return fmt::format("{} median {} -> {} (shift {}, {}, Holm)", to_string(row.phase),
                       milliseconds(static_cast<double>(row.before_median_ns)),
                       milliseconds(static_cast<double>(row.after_median_ns)), signed_milliseconds(row.shift.estimate),
                       p_is(row.p_adjusted));
}

// The strongest evidence of a change: the failed row first, then the rate
// and bucket rows by adjusted p, then the latency rows.
std::optional<std::string> strongest(const Comparison& c, Change change)
{
    const RateRow* best = nullptr;
    for (const auto* family : {&c.rows, &c.buckets}) {
        for (const auto& row : *family) {
            if (row.change == change && (best == nullptr || (best->kind != RateKind::failed &&
                                                             (row.kind == RateKind::failed ||
                                                              row.p_adjusted < best->p_adjusted)))) {
                best = &row;
            }
        }
    }
    if (best != nullptr) {
        return rate_headline(*best);
    }
    for (const auto& row : c.latency) {
        if (row.change == change) {
            return latency_headline(row);
        }
    }
    return std::nullopt;
}

std::string holm_note(std::size_t family)
{
    return family == 1 ? std::string("one test") : fmt::format("Holm over {} tests", family);
}

void rate_findings(const Comparison& c, std::vector<std::string>& findings)
{
    for (const auto& row : c.rows) {
        if (row.change != Change::none) {
            findings.push_back(fmt::format("The {} {} from {}: Fisher {}, {} after {}.", row_label(row),
                                           row.change == Change::worse ? "rose" : "fell", rate_text(row),
                                           p_is(row.p_value), p_value_text(row.p_adjusted), holm_note(c.rows.size())));
        }
    }
    std::vector<std::string> worse;
    std::vector<std::string> better;
    for (const auto& row : c.buckets) {
        if (row.change != Change::none) {
            (row.change == Change::worse ? worse : better)
                .push_back(fmt::format("bucket {} failed {} before and {} after (Holm {})", row.name,
                                       fmt::format("{} of {}", row.before, row.before_of),
                                       fmt::format("{} of {}", row.after, row.after_of), p_is(row.p_adjusted)));
        }
    }
    const auto join = [](const std::vector<std::string>& parts) {
        std::string text;
        for (const auto& part : parts) {
            text += (text.empty() ? "" : "; ") + part;
        }
        return text;
    };
    if (!worse.empty()) {
        findings.push_back(fmt::format("Under {}, {} got worse: {}.", c.bucket_model,
                                       worse.size() == 1 ? "one bucket" : fmt::format("{} buckets", worse.size()),
                                       join(worse)));
    }
    if (!better.empty()) {
        findings.push_back(fmt::format("Under {}, {} got better: {}.", c.bucket_model,
                                       better.size() == 1 ? "one bucket" : fmt::format("{} buckets", better.size()),
                                       join(better)));
    }
    if (!c.bucket_model.empty() && worse.empty() && better.empty()) {
        findings.push_back(fmt::format("Under {}, no bucket's failure rate changed significantly ({} buckets probed in "
                                       "both runs, Holm over them).",
                                       c.bucket_model, c.buckets.size()));
    }
}

void latency_findings(const Comparison& c, std::vector<std::string>& findings)
{
    for (const auto& row : c.latency) {
        const auto interval = row.shift.low && row.shift.high
                                  ? fmt::format("{:.0f}% interval {} to {}; ", 100.0 * (1.0 - c.thresholds.alpha),
                                                signed_milliseconds(static_cast<double>(*row.shift.low)),
                                                signed_milliseconds(static_cast<double>(*row.shift.high)))
                                  : std::string();
        if (row.change != Change::none) {
            findings.push_back(fmt::format(
                "{} got {}: median {} -> {}, p99 {} -> {}; shift {} ({}Mann-Whitney {} after Holm), "
                "beyond the tolerance of {}.",
                to_string(row.phase), row.change == Change::worse ? "slower" : "faster",
                milliseconds(static_cast<double>(row.before_median_ns)),
                milliseconds(static_cast<double>(row.after_median_ns)),
                milliseconds(static_cast<double>(row.before_p99_ns)), milliseconds(static_cast<double>(row.after_p99_ns)),
                signed_milliseconds(row.shift.estimate), interval, p_is(row.p_adjusted),
                milliseconds(row.tolerance_ns)));
        } else if (row.significant) {
            findings.push_back(fmt::format("{} shifted by {} ({}Mann-Whitney {} after Holm), within the "
                                           "tolerance of {}: not a change.",
                                           to_string(row.phase), signed_milliseconds(row.shift.estimate), interval,
                                           p_is(row.p_adjusted), milliseconds(row.tolerance_ns)));
        }
    }
}

void evidence_findings(const Comparison& c, const RunMeasurements& before, const RunMeasurements& after,
                       std::vector<std::string>& findings)
{
    for (const auto* side : {&c.before, &c.after}) {
        const std::string_view which = side == &c.before ? "before" : "after";
        if (side->stopped) {
            findings.push_back(fmt::format("The {} run was interrupted: {} of its probes were cut off and judge "
                                           "nothing.",
                                           which, side->interrupted));
        }
        if (side->judged != 0 && side->failed == 0) {
            findings.push_back(fmt::format("The {} run had no failure in {} judged probes: its failure rate is below "
                                           "{} (95%, one-sided; about 3/N).",
                                           which, side->judged,
                                           percent(zero_events_upper_bound(side->judged, interval_confidence))));
        }
    }
    const auto left_out = [](const RunSide& side) { return side.local_errors + side.interrupted; };
    if (left_out(c.before) + left_out(c.after) != 0) {
        findings.push_back(fmt::format("{} probes before and {} after ended on this host (local_error) or were "
                                       "interrupted; they judge nothing and are left out of every rate.",
                                       left_out(c.before), left_out(c.after)));
    }
    const auto unknown = [](const RunMeasurements& run) {
        return run.verdicts ? (*run.verdicts)[static_cast<std::size_t>(Verdict::unknown)] : 0;
    };
    if (before.verdicts && after.verdicts && unknown(before) + unknown(after) != 0) {
        findings.push_back(fmt::format("{} verdicts before and {} after are unknown (the captures do not decide "
                                       "them); they are left out of the verdict rates.",
                                       unknown(before), unknown(after)));
    } else if (before.verdicts.has_value() != after.verdicts.has_value()) {
        findings.push_back(fmt::format("Verdicts were not compared: only the {} run has them (captures).",
                                       before.verdicts ? "before" : "after"));
    }
}

// Too little to judge at all, whatever the tests say.
std::optional<std::string> too_little(const RunSide& side, std::string_view which, const scenarios::Thresholds& t)
{
    if (side.judged == 0) {
        return fmt::format("the {} run judged no probe ({} probes, none of which reached the wire and ended)", which,
                           side.probes);
    }
    if (side.judged < t.min_probes) {
        return fmt::format("the {} run judged {} probes, fewer than min_probes {}", which, side.judged, t.min_probes);
    }
    return std::nullopt;
}

void decide(Comparison& c)
{
    const auto& t = c.thresholds;
    const auto moved = [&](Change change) {
        const auto in = [&](const auto& rows) {
            return std::ranges::any_of(rows, [&](const auto& row) { return row.change == change; });
        };
        return in(c.rows) || in(c.buckets) || in(c.latency);
    };
    const auto before_little = too_little(c.before, "before", t);
    const auto after_little = too_little(c.after, "after", t);
    if (before_little || after_little) {
        c.verdict = CompareVerdict::inconclusive;
        c.headline = before_little ? *before_little : *after_little;
        c.findings.insert(c.findings.begin(), "Nothing is concluded: " + c.headline + ".");
        return;
    }
    const auto tests = std::max<std::size_t>(c.rows.size(), 1);
    const auto power_text = fmt::format(
        "to see a {:.1f}-point rise in the failure rate (from {}, alpha {} over {} rate {}, power {:.0f}%) each run "
        "needs {} judged probes",
        100.0 * c.power.rise, percent(c.power.baseline), t.alpha, tests, tests == 1 ? "test" : "tests",
        100.0 * t.power, c.power.needed);
    if (moved(Change::worse)) {
        c.verdict = CompareVerdict::regressed;
        c.headline = *strongest(c, Change::worse);
    } else if (moved(Change::better)) {
        c.verdict = CompareVerdict::improved;
        c.headline = *strongest(c, Change::better);
    } else if (c.power.adequate) {
        c.verdict = CompareVerdict::unchanged;
        c.headline = fmt::format("no rate changed significantly, no latency beyond its tolerance; failed rate {} -> "
                                 "{} ({} and {} judged probes)",
                                 percent(c.rows.front().before_share()), percent(c.rows.front().after_share()),
                                 c.before.judged, c.after.judged);
        c.findings.push_back(fmt::format("The runs were large enough: {}, and they judged {} and {}.", power_text,
                                         c.before.judged, c.after.judged));
    } else {
        c.verdict = CompareVerdict::inconclusive;
        c.headline = fmt::format("too few probes to see a {:.1f}-point rise in the failure rate (each run needs {} "
                                 "judged probes; before judged {}, after {})",
                                 100.0 * c.power.rise, c.power.needed, c.before.judged, c.after.judged);
        c.findings.push_back(fmt::format("No rate changed significantly and no latency beyond its tolerance, but the runs "
                                         "were too small to tell: {}; "
                                         "before judged {}, after {}.",
                                         power_text, c.before.judged, c.after.judged));
    }
}

boost::json::value optional_json(const std::optional<std::int64_t>& value)
{
    return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

boost::json::object rate_row_json(const RateRow& row)
{
    return {
        {"kind", to_string(row.kind)},
        {"name", row.name},
        {"before", row.before},
        {"before_of", row.before_of},
        {"before_rate", row.before_share()},
        {"before_interval", boost::json::array{row.before_rate.low, row.before_rate.high}},
        {"after", row.after},
        {"after_of", row.after_of},
        {"after_rate", row.after_share()},
        {"after_interval", boost::json::array{row.after_rate.low, row.after_rate.high}},
        {"difference", row.difference},
        {"p_value", row.p_value},
        {"p_adjusted", row.p_adjusted},
        {"change", to_string(row.change)},
    };
}

boost::json::object latency_row_json(const LatencyRow& row)
{
    return {
        {"phase", to_string(row.phase)},
        {"before_samples", row.before_samples},
        {"after_samples", row.after_samples},
        {"before_median_ns", row.before_median_ns},
        {"before_p99_ns", row.before_p99_ns},
        {"after_median_ns", row.after_median_ns},
        {"after_p99_ns", row.after_p99_ns},
        {"shift_ns", row.shift.estimate},
        {"shift_low_ns", optional_json(row.shift.low)},
        {"shift_high_ns", optional_json(row.shift.high)},
        {"tolerance_ns", row.tolerance_ns},
        {"u", row.test.u},
        {"z", row.test.z},
        {"p_value", row.test.p_value},
        {"p_adjusted", row.p_adjusted},
        {"significant", row.significant},
        {"change", to_string(row.change)},
    };
}

boost::json::object side_json(const RunSide& side)
{
    return {
        {"dir", side.dir},
        {"name", side.name},
        {"sha256", side.sha256},
        {"probes", side.probes},
        {"judged", side.judged},
        {"failed", side.failed},
        {"local_errors", side.local_errors},
        {"interrupted_probes", side.interrupted},
        {"interrupted", side.stopped},
    };
}

}  // namespace

std::string p_value_text(double p)
{
    return p < 1e-300 ? std::string("<1e-300") : fmt::format("{:.3g}", p);
}

double RateRow::before_share() const
{
    return share(before, before_of);
}

double RateRow::after_share() const
{
    return share(after, after_of);
}

std::string_view to_string(CompareVerdict verdict)
{
    switch (verdict) {
    case CompareVerdict::improved: return "improved";
    case CompareVerdict::unchanged: return "unchanged";
    case CompareVerdict::regressed: return "regressed";
    case CompareVerdict::inconclusive: return "inconclusive";
    }
    return "inconclusive";
}

std::string_view to_string(Change change)
{
    switch (change) {
    case Change::none: return "none";
    case Change::worse: return "worse";
    case Change::better: return "better";
    }
    return "none";
}

std::string_view to_string(RateKind kind)
{
    switch (kind) {
    case RateKind::failed: return "failed";
    case RateKind::outcome: return "outcome";
    case RateKind::verdict: return "verdict";
    case RateKind::bucket: return "bucket";
    }
    return "failed";
}

std::string_view to_string(LatencyPhase phase)
{
    switch (phase) {
    case LatencyPhase::connect: return "connect";
    case LatencyPhase::tls_handshake: return "tls_handshake";
    case LatencyPhase::first_byte: return "first_byte";
    case LatencyPhase::total: return "total";
    }
    return "total";
}

Comparison compare_runs(const RunMeasurements& before, const RunMeasurements& after)
{
    Comparison c;
    c.before = side_of(before);
    c.after = side_of(after);
    c.thresholds = after.thresholds;
    c.labels = after.labels;
    c.rows = rate_rows(before, after, c.before, c.after);
    judge_family(c.rows, c.thresholds.alpha);
    std::vector<std::string> bucket_notes;
    c.buckets = bucket_rows(before, after, c.bucket_model, bucket_notes);
    judge_family(c.buckets, c.thresholds.alpha);
    c.latency = latency_rows(before, after, c.thresholds);
    c.power = power_check(c.before, c.after, c.thresholds, c.rows.size());

    rate_findings(c, c.findings);
    for (auto& note : bucket_notes) {
        c.findings.push_back(std::move(note));
    }
    latency_findings(c, c.findings);
    evidence_findings(c, before, after, c.findings);
    decide(c);
    return c;
}

boost::json::object comparison_json(const Comparison& c)
{
    boost::json::array rows;
    for (const auto& row : c.rows) {
        rows.push_back(rate_row_json(row));
    }
    boost::json::array buckets;
    for (const auto& row : c.buckets) {
        buckets.push_back(rate_row_json(row));
    }
    boost::json::array latency;
    for (const auto& row : c.latency) {
        latency.push_back(latency_row_json(row));
    }
    boost::json::array findings;
    for (const auto& finding : c.findings) {
        findings.emplace_back(finding);
    }
    return {
        {"verdict", to_string(c.verdict)},
        {"headline", c.headline},
        {"before", side_json(c.before)},
        {"after", side_json(c.after)},
        {"thresholds", scenarios::thresholds_json(c.thresholds)},
        {"rows", std::move(rows)},
        {"bucket_model", c.bucket_model.empty() ? boost::json::value(nullptr) : boost::json::value(c.bucket_model)},
        {"buckets", std::move(buckets)},
        {"latency", std::move(latency)},
        {"power",
         {{"baseline", c.power.baseline},
          {"rise", c.power.rise},
          {"alpha_per_row", c.power.alpha_per_row},
          {"power", c.thresholds.power},
          {"needed", c.power.needed},
          {"adequate", c.power.adequate}}},
        {"labels", c.labels},
        {"findings", std::move(findings)},
    };
}

}  // namespace tlsprobe::results
