#include "results/history_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace tlsprobe::results {
namespace {

// The number in text[at, at + digits), or nothing when a character is not a digit.
std::optional<int> digits_at(std::string_view text, std::size_t at, std::size_t digits)
{
    int value = 0;
    for (std::size_t i = at; i < at + digits; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return std::nullopt;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

}  // namespace

std::optional<double> PathCounts::failure_rate() const
{
    if (judged == 0) {
        return std::nullopt;
    }
    return static_cast<double>(failures) / static_cast<double>(judged);
}

PathCounts path_counts(const std::map<std::string, std::uint64_t>& outcomes)
{
    PathCounts counts;
    for (const auto& [name, count] : outcomes) {
        const auto outcome = prober::outcome_from_string(name);
        if (!outcome) {
            throw std::invalid_argument("outcomes: \"" + name + "\" is not an outcome");
        }
        counts.judged += prober::judges_the_path(*outcome) ? count : 0;
        counts.failures += prober::is_path_failure(*outcome) ? count : 0;
    }
    return counts;
}

std::string utc_timestamp(std::chrono::system_clock::time_point time)
{
    const auto millis = std::chrono::floor<std::chrono::milliseconds>(time);
    const auto days = std::chrono::floor<std::chrono::days>(millis);
    const std::chrono::year_month_day date{days};
    const std::chrono::hh_mm_ss clock{millis - days};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
                       clock.minutes().count(), clock.seconds().count(), clock.subseconds().count());
}

std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(std::string_view text)
{
    // YYYY-MM-DDTHH:MM:SS.mmmZ
    if (text.size() != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
        text[16] != ':' || text[19] != '.' || text[23] != 'Z') {
        return std::nullopt;
    }
    const auto year = digits_at(text, 0, 4);
    const auto month = digits_at(text, 5, 2);
    const auto day = digits_at(text, 8, 2);
    const auto hour = digits_at(text, 11, 2);
    const auto minute = digits_at(text, 14, 2);
    const auto second = digits_at(text, 17, 2);
    const auto millis = digits_at(text, 20, 3);
    if (!year || !month || !day || !hour || !minute || !second || !millis) {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                                           std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok() || *hour >= 24 || *minute >= 60 || *second >= 60) {
        return std::nullopt;
    }
    return std::chrono::sys_days(date) + std::chrono::hours(*hour) + std::chrono::minutes(*minute) +
           std::chrono::seconds(*second) + std::chrono::milliseconds(*millis);
}

bool is_utc_timestamp(std::string_view text)
{
    return parse_utc_timestamp(text).has_value();
}

std::map<std::string, std::uint64_t> outcome_counts(const prober::RunStats& stats)
{
    std::map<std::string, std::uint64_t> counts;
    for (int i = 0; i < prober::outcome_count; ++i) {
        const auto outcome = static_cast<prober::Outcome>(i);
        counts.emplace(prober::to_string(outcome), stats.count(outcome));
    }
    return counts;
}

std::map<std::string, std::uint64_t> verdict_counts(const std::array<std::uint64_t, verdict_count>& counts)
{
    std::map<std::string, std::uint64_t> named;
    for (int i = 0; i < verdict_count; ++i) {
        named.emplace(to_string(static_cast<Verdict>(i)), counts[static_cast<std::size_t>(i)]);
    }
    return named;
}

namespace {

std::map<std::string, std::uint64_t> without_zeros(std::map<std::string, std::uint64_t> counts)
{
    std::erase_if(counts, [](const auto& entry) { return entry.second == 0; });
    return counts;
}

}  // namespace

std::map<std::string, std::uint64_t> history_outcomes(const prober::RunStats& stats)
{
    return without_zeros(outcome_counts(stats));
}

std::map<std::string, std::uint64_t> history_verdicts(const std::array<std::uint64_t, verdict_count>& counts)
{
    return without_zeros(verdict_counts(counts));
}

std::vector<HistoryBucket> history_buckets(const BucketAnalysis& analysis)
{
    std::vector<HistoryBucket> buckets;
    if (analysis.model.empty()) {
        return buckets;
    }
    for (const auto& result : analysis.buckets) {
        if (result.failures != 0) {
            buckets.push_back({.bucket = result.bucket,
                               .probes = result.probes,
                               .failures = result.failures,
                               .faulty = result.verdict == BucketVerdict::faulty});
        }
    }
    std::sort(buckets.begin(), buckets.end(), [](const auto& a, const auto& b) { return a.bucket < b.bucket; });
    return buckets;
}

void check_history_run(const HistoryRun& run)
{
    if (!is_utc_timestamp(run.started_utc)) {
        throw std::invalid_argument("started_utc: \"" + run.started_utc +
                                    "\" is not a UTC time like 2026-12-02T05:16:01.147Z");
    }
    if (!std::isfinite(run.duration_seconds) || run.duration_seconds < 0) {
        throw std::invalid_argument(fmt::format("duration_seconds: {} is not a duration", run.duration_seconds));
    }
    std::uint64_t counted = 0;
    for (const auto& [name, count] : run.outcomes) {
        if (!prober::outcome_from_string(name)) {
            throw std::invalid_argument("outcomes: \"" + name + "\" is not an outcome");
        }
        counted += count;
    }
    if (counted != run.probes) {
        throw std::invalid_argument(
            fmt::format("outcomes: the counts add up to {}, but the run has {} probes", counted, run.probes));
    }
    if (run.verdicts) {
        for (const auto& [name, count] : *run.verdicts) {
            if (!verdict_from_string(name)) {
                throw std::invalid_argument("verdicts: \"" + name + "\" is not a verdict");
            }
        }
    }
    if (!run.buckets.empty() && !run.hash_model) {
        throw std::invalid_argument("buckets: given without the hash_model that numbers them");
    }
    std::set<std::uint32_t> seen;
    for (const auto& bucket : run.buckets) {
        if (!seen.insert(bucket.bucket).second) {
            throw std::invalid_argument(fmt::format("buckets: bucket {} is listed twice", bucket.bucket));
        }
        if (bucket.failures > bucket.probes) {
            throw std::invalid_argument(fmt::format("buckets: bucket {} has {} failures of {} probes", bucket.bucket,
                                                    bucket.failures, bucket.probes));
        }
        if (bucket.faulty && bucket.failures == 0) {
            throw std::invalid_argument(fmt::format("buckets: bucket {} is faulty without a failure", bucket.bucket));
        }
    }
}

}  // namespace tlsprobe::results
