#include "results/bucket_analysis.hpp"

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/errors.hpp"

namespace tlsprobe::results {
namespace {

// One table row per bucket: more would not be read, and no probe budget covers them.
constexpr std::uint32_t max_buckets = 65536;

FlowTuple flow_tuple(const TupleKey& key)
{
    boost::system::error_code src_ec;
    boost::system::error_code dst_ec;
    FlowTuple tuple{.src = boost::asio::ip::make_address(key.src_ip, src_ec),
                    .src_port = key.src_port,
                    .dst = boost::asio::ip::make_address(key.dst_ip, dst_ec),
                    .dst_port = key.dst_port};
    if (src_ec || dst_ec) {
        throw core::InputError(fmt::format("probe of {}:{} -> {}:{}: an address is not an IP address", key.src_ip,
                                     key.src_port, key.dst_ip, key.dst_port));
    }
    return tuple;
}

std::string percent(double rate)
{
    return fmt::format("{:.1f}%", 100.0 * rate);
}

std::string determinism_finding(const BucketAnalysis& analysis)
{
    const auto& table = analysis.determinism.evidence.table;
    const auto first_failed = table.failed_failed + table.failed_passed;
    const auto first_passed = table.passed_failed + table.passed_passed;
    if (analysis.determinism.evidence.repeated == 0) {
        return "Determinism not tested: no tuple was probed twice.";
    }
    const auto counts = fmt::format("{}/{} failing tuples failed again; {}/{} passing did", table.failed_failed,
                                    first_failed, table.passed_failed, first_passed);
    switch (analysis.determinism.verdict) {
    case DeterminismVerdict::no_repeats:
        return "No tuple was probed twice, so per-flow fault and random loss cannot be told apart (re-probe "
               "the tuples, or use hunt).";
    case DeterminismVerdict::no_failures:
        return fmt::format("No repeated tuple failed its first try ({} tuples probed twice or more).",
                           analysis.determinism.evidence.repeated);
    case DeterminismVerdict::random_loss:
        return fmt::format("Failures look like random loss ({}; one-sided Fisher p = {:.3g}).", counts,
                           analysis.determinism.p_value);
    case DeterminismVerdict::per_flow:
        return fmt::format("Failures are per-flow and deterministic ({}).", counts);
    case DeterminismVerdict::per_flow_flips:
        return fmt::format("Failures are tied to flows, but tuples flip between pass and fail ({}; Fisher p = "
                           "{:.3g}; {}/{} tuples whose two tries disagreed failed a later try, binomial p = {:.3g}).",
                           counts, analysis.determinism.p_value, analysis.determinism.evidence.retried_failed,
                           analysis.determinism.evidence.retried, analysis.determinism.retried_p_value);
    }
    return {};
}

std::vector<std::string> flip_findings(const BucketAnalysis& analysis, double background)
{
    const auto& determinism = analysis.determinism;
    const auto& evidence = determinism.evidence;
    std::vector<std::string> lines;
    if (evidence.flipped != 0) {
        // Enough source ports to re-probe by hand; all of them are in buckets.json.
        constexpr std::size_t ports_named = 8;
        const auto& ports = analysis.flipped_ports;
        const auto shown = std::span(ports).first(std::min(ports_named, ports.size()));
        const auto counts = fmt::format("{} of {} repeated tuples flipped between pass and fail (source port{} {}{}; "
                                        "failed at least twice and passed at least once",
                                        evidence.flipped, evidence.repeated, shown.size() == 1 ? "" : "s",
                                        fmt::join(shown, ", "), shown.size() < ports.size() ? ", ..." : "");
        if (determinism.verdict == DeterminismVerdict::per_flow_flips) {
            lines.push_back(counts + "): the hash depends on something the prober does not control (MAC, ingress "
                                     "port), or the fault hits only some packets of a flow.");
        } else {
            lines.push_back(fmt::format("{}), no more than background loss of {} explains (binomial p = {:.3g}).",
                                        counts, percent(background), determinism.retried_p_value));
        }
    }
    if (evidence.unconfirmed != 0) {
        lines.push_back(fmt::format("{} tuples failed one of their two tries: background loss or a flip; a third "
                                    "try tells them apart (hunt makes it).",
                                    evidence.unconfirmed));
    }
    if (evidence.background != 0) {
        lines.push_back(fmt::format("{} tuples failed once and passed at least twice: background loss.",
                                    evidence.background));
    }
    return lines;
}

std::string bucket_list(std::span<const std::uint32_t> buckets)
{
    return fmt::format("{} {}", buckets.size() == 1 ? "bucket" : "buckets", compress_ranges(buckets));
}

std::string model_finding(const BucketAnalysis& analysis, double background)
{
    std::vector<std::uint32_t> clean;
    std::vector<std::uint32_t> unprobed;
    std::vector<std::string> faulty;
    for (const auto& bucket : analysis.buckets) {
        switch (bucket.verdict) {
        case BucketVerdict::faulty:
            faulty.push_back(fmt::format("bucket {} failed {}/{} probes", bucket.bucket, bucket.failures,
                                         bucket.probes));
            break;
        case BucketVerdict::clean:
            clean.push_back(bucket.bucket);
            break;
        case BucketVerdict::unprobed:
            unprobed.push_back(bucket.bucket);
            break;
        }
    }
    std::string text = fmt::format("Under {}, ", analysis.model);
    if (faulty.empty()) {
        text += fmt::format("no bucket fails more than the background ({})", percent(background));
    } else {
        text += fmt::format("{}", fmt::join(faulty, ", "));
    }
    if (!clean.empty()) {
        text += fmt::format("; {} {} clean", bucket_list(clean), clean.size() == 1 ? "is" : "are");
    }
    if (!unprobed.empty()) {
        text += fmt::format("; {} {} not probed", bucket_list(unprobed), unprobed.size() == 1 ? "was" : "were");
    }
    return text + ".";
}

std::vector<std::string> fit_findings(const PortFitReport& report)
{
    std::vector<std::string> lines;
    const auto& fit = report.fit;
    if (fit.accepted()) {
        // Relative to the span of the probed ports: a narrow port range fixes
        // the high bits, and the space is only known inside that span.
        const auto codimension = fit.probed_dimension - fit.space->dimension();
        lines.push_back(fmt::format(
            "Without a model: the {} ports that failed every attempt form an affine subspace over GF(2), "
            "1 in {} of the probed port space (codimension {} in a span of dimension {}), that holds none of "
            "the {} passing ports (chance bound {:.3g}); it predicts {}/{} held-out ports ({}).",
            report.fitted_failing, 1U << codimension, codimension, fit.probed_dimension, report.fitted_passing,
            fit.chance, report.held_out.correct, report.held_out.total, percent(report.held_out.accuracy())));
        std::vector<std::string> equations;
        for (const auto& equation : fit.space->equations()) {
            equations.push_back(fmt::format("parity(port & 0x{:04x}) = {}", equation.mask, equation.parity ? 1 : 0));
        }
        lines.push_back(fmt::format("Failing ports satisfy: {}.", fmt::join(equations, ", ")));
        if (fit.outlier) {
            lines.push_back(fmt::format("Failing port {} lies outside that subspace and was left out of the fit: "
                                        "background loss on every try, or a fault of its own.",
                                        *fit.outlier));
        }
    } else {
        lines.push_back(fmt::format("Without a model: no affine fit over GF(2) of the failing ports ({}).",
                                    to_string(fit.outcome)));
    }
    if (report.labelled != 0) {
        lines.push_back(fmt::format("{} of {} tuples failed every attempt: {} of the hash space affected "
                                    "(95% interval {}-{}).",
                                    report.always_failed, report.labelled,
                                    percent(static_cast<double>(report.always_failed) /
                                            static_cast<double>(report.labelled)),
                                    percent(report.failing_share.low), percent(report.failing_share.high)));
    }
    return lines;
}

PortFitReport fit_ports(std::span<const TupleHistory> tuples, const BucketAnalysisConfig& config)
{
    PortFitReport report;
    std::vector<std::uint16_t> failing;
    std::vector<std::uint16_t> passing;
    std::vector<LabelledPort> held_out;
    std::vector<BucketCounts> failing_counts;
    for (const auto& history : tuples) {
        if (history.failures() != 0) {
            failing_counts.push_back({.bucket = history.tuple.src_port,
                                      .probes = history.failed.size(),
                                      .failures = history.failures()});
        }
        if (history.mixed()) {
            continue;
        }
        const bool failed = history.always_failed();
        ++report.labelled;
        report.always_failed += failed ? 1U : 0U;
        if (config.hold_out_every != 0 && report.labelled % config.hold_out_every == 0) {
            held_out.push_back({.port = history.tuple.src_port, .failed = failed});
        } else {
            (failed ? failing : passing).push_back(history.tuple.src_port);
        }
    }
    report.fitted_failing = failing.size();
    report.fitted_passing = passing.size();
    report.fit = fit_affine_ports(failing, passing, FitConfig{});
    if (report.fit.space) {
        report.held_out = score_prediction(*report.fit.space, held_out);
    }
    report.failing_share = wilson_interval(report.always_failed, report.labelled, config.confidence);
    const BucketTestConfig test{.background = config.background, .alpha = config.alpha,
                                .confidence = config.confidence};
    report.failing_tuples = test_buckets(failing_counts, test);
    return report;
}

}  // namespace

std::uint64_t TupleHistory::failures() const
{
    return static_cast<std::uint64_t>(std::count(failed.begin(), failed.end(), true));
}

std::vector<TupleHistory> group_attempts(std::span<const prober::ProbeRecord> records)
{
    std::map<TupleKey, std::map<std::uint32_t, bool>> by_tuple;
    for (const auto& record : records) {
        if (!prober::judges_the_path(record.outcome)) {
            continue;
        }
        by_tuple[{record.src_ip, record.src_port, record.dst_ip, record.dst_port}][record.attempt] =
            prober::is_path_failure(record.outcome);
    }
    std::vector<TupleHistory> tuples;
    tuples.reserve(by_tuple.size());
    for (const auto& [key, attempts] : by_tuple) {
        TupleHistory history{.tuple = key, .failed = {}};
        for (const auto& [attempt, failed] : attempts) {
            history.failed.push_back(failed);
        }
        tuples.push_back(std::move(history));
    }
    return tuples;
}

RepeatEvidence repeat_evidence(std::span<const TupleHistory> tuples)
{
    RepeatEvidence evidence;
    auto& table = evidence.table;
    for (const auto& history : tuples) {
        if (history.failed.size() < 2) {
            continue;
        }
        ++evidence.repeated;
        const bool first = history.failed[0];
        const bool second = history.failed[1];
        auto& cell = first ? (second ? table.failed_failed : table.failed_passed)
                           : (second ? table.passed_failed : table.passed_passed);
        ++cell;
        if (history.flipped()) {
            ++evidence.flipped;
        } else if (history.failures() == 1) {
            ++(history.passes() == 1 ? evidence.unconfirmed : evidence.background);
        }
        if (first != second && history.failed.size() >= 3) {
            ++evidence.retried;
            evidence.retried_failed += history.failures() >= 2 ? 1U : 0U;
            evidence.most_later_tries = std::max<std::uint64_t>(evidence.most_later_tries, history.failed.size() - 2);
        }
    }
    return evidence;
}

std::vector<std::uint32_t> BucketAnalysis::faulty_buckets() const
{
    std::vector<std::uint32_t> faulty;
    for (const auto& bucket : buckets) {
        if (bucket.verdict == BucketVerdict::faulty) {
            faulty.push_back(bucket.bucket);
        }
    }
    return faulty;
}

namespace {

HealthJudgement judge(const BucketAnalysis& analysis, const BucketAnalysisConfig& config)
{
    HealthJudgement judgement{.health = Health::healthy, .reasons = {}};
    if (analysis.attempts == 0) {
        judgement.lower(Health::insufficient_evidence, "no attempt reached the wire");
        return judgement;
    }
    if (const auto faulty = analysis.faulty_buckets(); !faulty.empty()) {
        judgement.lower(Health::unhealthy, "faulty buckets: " + compress_ranges(faulty));
    }
    if (analysis.port_fit && analysis.port_fit->fit.accepted()) {
        judgement.lower(Health::unhealthy, "the failing ports fit a hash bucket (GF(2) fit accepted)");
    }
    if (analysis.determinism.verdict == DeterminismVerdict::per_flow ||
        analysis.determinism.verdict == DeterminismVerdict::per_flow_flips) {
        judgement.lower(Health::unhealthy, fmt::format("the failures are tied to flows ({})",
                                                       to_string(analysis.determinism.verdict)));
    }
    // Whatever the hash, a path that fails more than its background loss is not healthy.
    if (const double p = binomial_upper_tail(analysis.failed_attempts, analysis.attempts, config.background);
        analysis.failed_attempts != 0 && p < config.alpha) {
        judgement.lower(Health::unhealthy,
                        fmt::format("{} of {} attempts failed, more than a background loss of {} explains "
                                    "(binomial p = {:.3g})",
                                    analysis.failed_attempts, analysis.attempts, percent(config.background), p));
    }
    return judgement;
}

}  // namespace

BucketAnalysis analyze_buckets(std::span<const prober::ProbeRecord> records, const BucketAnalysisConfig& config)
{
    if (!(config.background >= 0.0 && config.background < 1.0)) {
        throw core::UsageError("background_loss", fmt::format(": {} is not a rate in [0, 1)", config.background));
    }
    BucketAnalysis analysis;
    for (const auto& record : records) {
        if (prober::judges_the_path(record.outcome)) {
            ++analysis.attempts;
        } else {
            ++(record.outcome == prober::Outcome::local_error ? analysis.local_errors : analysis.interrupted);
        }
        analysis.failed_attempts += prober::is_path_failure(record.outcome) ? 1U : 0U;
    }
    const auto tuples = group_attempts(records);
    analysis.tuples = tuples.size();
    analysis.determinism = assess_determinism(repeat_evidence(tuples), config.background, config.alpha);
    for (const auto& history : tuples) {
        if (history.flipped()) {
            analysis.flipped_ports.push_back(history.tuple.src_port);
        }
    }
    std::sort(analysis.flipped_ports.begin(), analysis.flipped_ports.end());
    analysis.findings.push_back(determinism_finding(analysis));
    for (auto& line : flip_findings(analysis, config.background)) {
        analysis.findings.push_back(std::move(line));
    }

    if (config.model != nullptr) {
        const auto& model = *config.model;
        analysis.model = model.describe();
        if (model.bucket_count() > max_buckets) {
            throw core::UsageError("model", fmt::format(": {} has {} buckets; at most {} can be tested", analysis.model,
                                                        model.bucket_count(), max_buckets));
        }
        std::vector<BucketCounts> counts(model.bucket_count());
        // Per bucket: whether a tuple probed twice or more failed every try,
        // and whether one passed every try.
        std::vector<bool> always_failing(model.bucket_count(), false);
        std::vector<bool> always_passing(model.bucket_count(), false);
        for (std::uint32_t i = 0; i < counts.size(); ++i) {
            counts[i].bucket = model.first_bucket() + i;
        }
        for (const auto& history : tuples) {
            const auto index = model.bucket(flow_tuple(history.tuple)) - model.first_bucket();
            auto& entry = counts[index];
            entry.probes += history.failed.size();
            entry.failures += history.failures();
            if (history.failed.size() >= 2) {
                always_failing[index] = always_failing[index] || history.always_failed();
                always_passing[index] = always_passing[index] || history.never_failed();
            }
        }
        analysis.buckets = test_buckets(counts, {.background = config.background, .alpha = config.alpha,
                                                 .confidence = config.confidence});
        analysis.findings.push_back(model_finding(analysis, config.background));
        // Deterministic per tuple, yet a faulty bucket holds tuples that
        // always pass beside tuples that always fail (or no bucket is
        // faulty): the tuple decides, not this model's bucket.
        std::vector<std::uint32_t> mixed;
        for (const auto bucket : analysis.faulty_buckets()) {
            const auto index = bucket - model.first_bucket();
            if (always_failing[index] && always_passing[index]) {
                mixed.push_back(bucket);
            }
        }
        const bool unexplained = analysis.faulty_buckets().empty() || !mixed.empty();
        if (analysis.determinism.verdict == DeterminismVerdict::per_flow && unexplained) {
            const auto where = mixed.empty()
                                   ? std::string("no bucket of this model explains them")
                                   : fmt::format("{} {} tuples that passed every try beside tuples that failed "
                                                 "every try",
                                                 bucket_list(mixed), mixed.size() == 1 ? "holds" : "hold");
            analysis.findings.push_back(fmt::format(
                "The failures are per-flow, but {}: the device may hash other fields or parameters than this "
                "model, or a NAT or proxy changes the tuple before it (a run with a server capture gives "
                "`buckets` the tuple the device saw); without a hash model, `buckets` fits the failing ports over "
                "GF(2).",
                where));
        }
    } else {
        analysis.port_fit = fit_ports(tuples, config);
        for (auto& line : fit_findings(*analysis.port_fit)) {
            analysis.findings.push_back(std::move(line));
        }
    }
    analysis.judgement = judge(analysis, config);
    if (analysis.attempts == 0) {
        analysis.findings.push_back("No attempt reached the wire: nothing was judged.");
    } else if (analysis.healthy() && analysis.failed_attempts == 0) {
        analysis.findings.push_back(fmt::format("All {} attempts passed.", analysis.attempts));
    }
    return analysis;
}

boost::json::object bucket_analysis_json(const BucketAnalysis& analysis, const BucketAnalysisConfig& config)
{
    auto bucket_json = [](const BucketResult& bucket) {
        return boost::json::object{
            {"bucket", bucket.bucket},
            {"probes", bucket.probes},
            {"failures", bucket.failures},
            {"failure_rate_low", bucket.failure_rate.low},
            {"failure_rate_high", bucket.failure_rate.high},
            {"p_value", bucket.p_value},
            {"p_adjusted", bucket.p_adjusted},
            {"verdict", to_string(bucket.verdict)},
        };
    };
    const auto& evidence = analysis.determinism.evidence;
    const auto& table = evidence.table;
    boost::json::object out{
        {"attempts", analysis.attempts},
        {"local_errors", analysis.local_errors},
        {"interrupted", analysis.interrupted},
        {"tuples", analysis.tuples},
        {"repeated_tuples", evidence.repeated},
        {"flipped_tuples", evidence.flipped},
        {"flipped_ports", boost::json::array(analysis.flipped_ports.begin(), analysis.flipped_ports.end())},
        {"background", config.background},
        {"alpha", config.alpha},
        {"confidence", config.confidence},
        {"determinism",
         {{"verdict", to_string(analysis.determinism.verdict)},
          {"p_value", analysis.determinism.p_value},
          {"failed_failed", table.failed_failed},
          {"failed_passed", table.failed_passed},
          {"passed_failed", table.passed_failed},
          {"passed_passed", table.passed_passed},
          {"unconfirmed_flips", evidence.unconfirmed},
          {"unconfirmed_p_value", analysis.determinism.unconfirmed_p_value},
          {"retried", evidence.retried},
          {"retried_failed", evidence.retried_failed},
          {"retried_p_value", analysis.determinism.retried_p_value},
          {"background_failures", evidence.background}}},
        {"healthy", analysis.healthy()},
        {"health", to_string(analysis.judgement.health)},
        {"failed_attempts", analysis.failed_attempts},
    };
    if (!analysis.model.empty()) {
        out["model"] = analysis.model;
        boost::json::array buckets;
        for (const auto& bucket : analysis.buckets) {
            buckets.push_back(bucket_json(bucket));
        }
        out["buckets"] = std::move(buckets);
        boost::json::array faulty;
        for (const auto bucket : analysis.faulty_buckets()) {
            faulty.push_back(bucket);
        }
        out["faulty_buckets"] = std::move(faulty);
    }
    if (analysis.port_fit) {
        const auto& report = *analysis.port_fit;
        boost::json::object fit{
            {"outcome", to_string(report.fit.outcome)},
            {"fitted_failing", report.fitted_failing},
            {"fitted_passing", report.fitted_passing},
            {"redundant", report.fit.redundant},
            {"passing_inside", report.fit.passing_inside},
            {"probed_dimension", report.fit.probed_dimension},
            {"outlier", report.fit.outlier ? boost::json::value(*report.fit.outlier) : boost::json::value(nullptr)},
            {"chance", report.fit.chance},
            {"hash_space_share", report.fit.hash_space_share},
            {"held_out", {{"total", report.held_out.total},
                          {"correct", report.held_out.correct},
                          {"false_failures", report.held_out.false_failures},
                          {"missed_failures", report.held_out.missed_failures},
                          {"accuracy", report.held_out.accuracy()}}},
            {"labelled_tuples", report.labelled},
            {"always_failed", report.always_failed},
            {"failing_share_low", report.failing_share.low},
            {"failing_share_high", report.failing_share.high},
        };
        if (report.fit.space) {
            fit["dimension"] = report.fit.space->dimension();
            fit["origin"] = report.fit.space->origin();
            boost::json::array equations;
            for (const auto& equation : report.fit.space->equations()) {
                equations.push_back({{"mask", equation.mask}, {"parity", equation.parity ? 1 : 0}});
            }
            fit["equations"] = std::move(equations);
        }
        boost::json::array failing;
        for (const auto& tuple : report.failing_tuples) {
            auto entry = bucket_json(tuple);
            entry.erase("bucket");
            entry["src_port"] = tuple.bucket;
            failing.push_back(std::move(entry));
        }
        fit["failing_tuples"] = std::move(failing);
        out["port_fit"] = std::move(fit);
    }
    boost::json::array findings;
    for (const auto& line : analysis.findings) {
        findings.push_back(boost::json::string(line));
    }
    out["findings"] = std::move(findings);
    return out;
}

std::string compress_ranges(std::span<const std::uint32_t> sorted)
{
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i;
        while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) {
            ++j;
        }
        if (j - i >= 2) {
            parts.push_back(fmt::format("{}-{}", sorted[i], sorted[j]));
        } else {
            for (std::size_t k = i; k <= j; ++k) {
                parts.push_back(std::to_string(sorted[k]));
            }
        }
        i = j + 1;
    }
    return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace tlsprobe::results
