#include "results/history_json.hpp"

#include <boost/json/array.hpp>

namespace tlsprobe::results {
namespace {

namespace json = boost::json;

json::value rate_json(const PathCounts& path)
{
    const auto rate = path.failure_rate();
    return rate ? json::value(*rate) : json::value(nullptr);
}

json::value text_or_null(const std::optional<std::string>& text)
{
    return text ? json::value(*text) : json::value(nullptr);
}

json::object counts_json(const std::map<std::string, std::uint64_t>& counts)
{
    json::object out;
    for (const auto& [name, count] : counts) {
        out[name] = count;
    }
    return out;
}

void add_series(json::object& out, const HistorySeries& series)
{
    out["scenario"] = series.scenario;
    out["target"] = series.target;
    out["vantage"] = series.vantage;
}

}  // namespace

json::object stored_run_json(const StoredRun& stored)
{
    const auto& run = stored.run;
    json::array buckets;
    for (const auto& bucket : run.buckets) {
        buckets.push_back(json::object{{"bucket", bucket.bucket},
                                       {"probes", bucket.probes},
                                       {"failures", bucket.failures},
                                       {"faulty", bucket.faulty}});
    }
    json::array faulty;
    for (const auto bucket : stored.faulty_buckets()) {
        faulty.push_back(bucket);
    }
    return {{"id", stored.id},
            {"scenario", run.scenario},
            {"target", run.target},
            {"vantage", run.vantage},
            {"started_utc", run.started_utc},
            {"duration_seconds", run.duration_seconds},
            {"probes", run.probes},
            {"path_probes", stored.path.judged},
            {"path_failures", stored.path.failures},
            {"failure_rate", rate_json(stored.path)},
            {"outcomes", counts_json(run.outcomes)},
            {"verdicts", run.verdicts ? json::value(counts_json(*run.verdicts)) : json::value(nullptr)},
            {"health", to_string(run.health)},
            {"exit_code", run.exit_code},
            {"run_dir", run.run_dir},
            {"hash_model", text_or_null(run.hash_model)},
            {"buckets", std::move(buckets)},
            {"faulty_buckets", std::move(faulty)}};
}

json::object history_trend_json(const HistoryTrend& trend)
{
    json::array rates;
    for (const auto& rate : trend.rates) {
        json::object row;
        add_series(row, rate.series);
        row["period"] = rate.period;
        row["runs"] = rate.runs;
        row["unhealthy_runs"] = rate.unhealthy_runs;
        row["path_probes"] = rate.path.judged;
        row["path_failures"] = rate.path.failures;
        row["failure_rate"] = rate_json(rate.path);
        rates.push_back(std::move(row));
    }
    json::array buckets;
    for (const auto& onset : trend.buckets) {
        json::object row;
        add_series(row, onset.series);
        row["hash_model"] = text_or_null(onset.hash_model);
        row["bucket"] = onset.bucket;
        row["first_faulty_utc"] = onset.first_faulty_utc;
        row["last_faulty_utc"] = onset.last_faulty_utc;
        row["faulty_runs"] = onset.faulty_runs;
        row["still_faulty"] = onset.still_faulty;
        row["faulty_since_utc"] = text_or_null(onset.faulty_since_utc);
        row["streak_runs"] = onset.streak_runs;
        buckets.push_back(std::move(row));
    }
    return {{"per", to_string(trend.per)},
            {"periods", trend.periods},
            {"rates", std::move(rates)},
            {"buckets", std::move(buckets)}};
}

json::object history_json(const std::filesystem::path& file, std::span<const StoredRun> runs,
                          const HistoryTrend& trend)
{
    json::array run_array;
    for (const auto& stored : runs) {
        run_array.push_back(stored_run_json(stored));
    }
    return {{"history", file.string()},
            {"schema_version", history_schema_version},
            {"runs", std::move(run_array)},
            {"trend", history_trend_json(trend)}};
}

}  // namespace tlsprobe::results
