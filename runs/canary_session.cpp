#include "runs/canary_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/stop_signals.hpp"
#include "reports/metrics_file.hpp"
#include "results/hash_model.hpp"
#include "results/history_run.hpp"
#include "results/history_store.hpp"
#include "runs/bucket_outputs.hpp"
#include "runs/exit_decision.hpp"
#include "runs/report_session.hpp"
#include "runs/run_directory.hpp"
#include "runs/run_history.hpp"
#include "runs/run_lock.hpp"

namespace tlsprobe::runs {
namespace {

namespace fs = std::filesystem;

// The faulty buckets of the run under the scenario's model, written as buckets.json beside it.
results::BucketAnalysis judge_buckets(const scenarios::Scenario& scenario, const fs::path& dir,
                                      results::HealthJudgement& judgement)
{
    const auto model = results::parse_hash_model(scenario.hash_model);
    results::BucketAnalysisConfig config;
    config.model = model.get();
    config.background = scenario.background_loss;
    auto analysis = write_bucket_analysis(read_hashed_probes(dir), config, dir);
    const auto faulty = analysis.faulty_buckets();
    if (faulty.size() > scenario.thresholds.max_faulty_buckets) {
        judgement.lower(results::Health::unhealthy,
                        fmt::format("faulty hash bucket(s) {} of {} under {} (max_faulty_buckets {})",
                                    fmt::join(faulty, ", "), model->bucket_count(), analysis.model,
                                    scenario.thresholds.max_faulty_buckets));
    }
    return analysis;
}

void judge_handshake_p99(const scenarios::Scenario& scenario, const prober::RunStats& stats,
                         results::HealthJudgement& judgement)
{
    const auto limit = scenario.thresholds.max_handshake_p99_ms;
    const auto& handshakes = stats.phase(prober::Phase::tls_handshake);
    if (limit <= 0.0 || handshakes.count() == 0) {
        return;
    }
    const auto p99_ms = static_cast<double>(handshakes.percentile(0.99)) / 1e6;
    if (p99_ms > limit) {
        judgement.lower(results::Health::unhealthy,
                        fmt::format("the TLS handshake p99 is {:.1f} ms, above the scenario's max_handshake_p99_ms "
                                    "of {:.1f} ms",
                                    p99_ms, limit));
    }
}

double unix_seconds(std::chrono::system_clock::time_point at)
{
    return std::chrono::duration<double>(at.time_since_epoch()).count();
}

reports::CanaryMetrics metrics_of(const scenarios::Scenario& scenario, const CanaryResult& result,
                                  std::chrono::system_clock::time_point started,
                                  std::chrono::system_clock::time_point ended)
{
    const auto& run = result.run;
    reports::CanaryMetrics metrics{
        .scenario = scenario.name,
        .target = run.facts.target,
        .vantage = vantage_of(scenario),
        .outcomes = results::outcome_counts(run.fleet.stats),
        .verdicts = run.analysis ? std::optional(results::verdict_counts(run.analysis->counts)) : std::nullopt,
        .phases = reports::phase_latencies(run.fleet.stats),
        .faulty_buckets = std::nullopt,
        .hash_space_affected = std::nullopt,
        .capture_drops = {},
        .run_start_unix_seconds = unix_seconds(started),
        .run_duration_seconds = std::chrono::duration<double>(ended - started).count(),
        .last_success_unix_seconds = std::nullopt,
        .healthy = result.judgement.health == results::Health::healthy,
        .hit_bound = run.fleet.hit_bound,
        .exit_code = static_cast<int>(result.exit_code),
    };
    if (result.buckets && !result.buckets->buckets.empty()) {
        const auto faulty = result.buckets->faulty_buckets().size();
        metrics.faulty_buckets = faulty;
        metrics.hash_space_affected =
            static_cast<double>(faulty) / static_cast<double>(result.buckets->buckets.size());
    }
    if (run.inputs) {
        for (const auto* vantage : {&run.inputs->client, &run.inputs->server}) {
            if (*vantage && (*vantage)->kernel_dropped) {
                metrics.capture_drops[(*vantage)->name] = *(*vantage)->kernel_dropped;
            }
        }
    }
    return metrics;
}

// The newest healthy run of the scenario the history holds; nothing when
// there is none or the history cannot be read (appending will say why).
std::optional<double> last_success(const fs::path& file, const std::string& scenario)
{
    std::optional<results::HistoryStore> history;
    try {
        history.emplace(results::HistoryStore::open(file, {.access = results::HistoryAccess::read_only, .busy_timeout = results::history_busy_timeout}));
    } catch (const core::Error&) {
        return std::nullopt;
    }
    for (const auto& stored : history->recent(scenario, 10'000)) {
        if (stored.run.health == results::Health::healthy) {
            const auto at = results::parse_utc_timestamp(stored.run.started_utc);
            return at ? std::optional(unix_seconds(*at)) : std::nullopt;
        }
    }
    return std::nullopt;
}

}  // namespace

std::vector<fs::path> expired_run_dirs(const fs::path& runs_dir, const scenarios::Retention& retention,
                                       const fs::path& current)
{
    std::vector<fs::directory_entry> runs;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(runs_dir, ec)) {
        // Only what a run left: a directory with its summary or its probes.
        if (entry.is_directory() && (fs::exists(entry.path() / "summary.json") ||
                                     fs::exists(entry.path() / "probes.jsonl"))) {
            runs.push_back(entry);
        }
    }
    // Newest first: names are UTC times, so they sort as they were made.
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.path() > b.path(); });
    const auto oldest_kept = fs::file_time_type::clock::now() -
                             std::chrono::duration_cast<fs::file_time_type::duration>(
                                 std::chrono::duration<double, std::ratio<86400>>(retention.keep_days));
    std::vector<fs::path> expired;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        if (fs::equivalent(runs[i].path(), current, ec)) {
            continue;
        }
        if (i >= retention.keep_runs || runs[i].last_write_time(ec) < oldest_kept) {
            expired.push_back(runs[i].path());
        }
    }
    return expired;
}

CanaryResult canary_session(const CanaryRequest& request)
{
    auto scenario = request.scenario;
    if (request.metrics_dir) {
        (void)reports::metrics_file_path(*request.metrics_dir, scenario.name);   // a name that cannot be a file fails now
    }
    const RunLock lock(request.state_dir / "locks" / (scenario.name + ".lock"));
    const auto started = std::chrono::system_clock::now();
    const auto runs_dir = request.state_dir / "runs" / scenario.name;
    // SIGINT and SIGTERM wait from before the run directory exists, as in
    // run_session (which watches them from here on): a stop between its
    // creation and the run must not leave it empty.
    const core::StopSignals stop_signals;
    if (scenario.plan.out_dir.empty()) {
        scenario.plan.out_dir = make_run_directory({}, "", runs_dir);
    }
    CanaryResult result;
    result.run = run_session(scenario);
    result.judgement = result.run.judgement;
    if (!scenario.hash_model.empty() && result.run.fleet.stats.probes() != 0) {
        result.buckets = judge_buckets(scenario, result.run.dir, result.judgement);
    }
    judge_handshake_p99(scenario, result.run.fleet.stats, result.judgement);
    result.exit_code = exit_code(result.judgement, result.run.fleet.interrupted);
    // summary.json (and the report drawn from it) says what the canary
    // decided, thresholds included, not only what the run alone judged.
    rewrite_summary_health(result.run.dir, result.judgement);
    if (result.exit_code != core::ExitCode::healthy) {
        result.report = leave_run_report(result.run.dir, &result.run);
    }
    const auto ended = std::chrono::system_clock::now();
    // The metrics first: a history that cannot be written must not silence them.
    if (request.metrics_dir) {
        auto metrics = metrics_of(scenario, result, started, ended);
        metrics.last_success_unix_seconds = metrics.healthy ? std::optional(unix_seconds(started))
                                                            : last_success(request.history_file, scenario.name);
        reports::write_metrics_file(*request.metrics_dir, metrics);
    }
    const auto entry = history_entry(scenario, result.run, result.judgement,
                                     result.buckets ? &*result.buckets : nullptr, result.exit_code, started, ended);
    if (const auto problem = append_to_history(request.history_file, entry)) {
        result.history_problem = problem->message;
        if (result.exit_code == core::ExitCode::healthy) {
            result.exit_code = problem->exit_code;
        }
    }
    for (const auto& dir : expired_run_dirs(runs_dir, scenario.retention, result.run.dir)) {
        std::error_code ec;
        fs::remove_all(dir, ec);
        if (ec) {
            spdlog::warn("retention: cannot remove {}: {}", dir.string(), ec.message());
        } else {
            result.pruned.push_back(dir);
        }
    }
    return result;
}

}  // namespace tlsprobe::runs
