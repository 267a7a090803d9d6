#include "runs/run_history.hpp"

#include <unistd.h>

#include <array>

#include "results/history_store.hpp"

namespace tlsprobe::runs {

results::HistoryRun history_entry(const scenarios::Scenario& scenario, const RunResult& run,
                                  const results::HealthJudgement& judgement, const results::BucketAnalysis* buckets,
                                  core::ExitCode exit_code, std::chrono::system_clock::time_point started,
                                  std::chrono::system_clock::time_point ended)
{
    results::HistoryRun entry;
    entry.scenario = scenario.name;
    entry.target = run.facts.target;
    entry.vantage = vantage_of(scenario);
    entry.started_utc = results::utc_timestamp(started);
    entry.duration_seconds = std::chrono::duration<double>(ended - started).count();
    entry.probes = run.fleet.stats.probes();
    entry.outcomes = results::history_outcomes(run.fleet.stats);
    if (run.analysis) {
        entry.verdicts = results::history_verdicts(run.analysis->counts);
    }
    entry.health = judgement.health;
    entry.exit_code = static_cast<int>(exit_code);
    entry.run_dir = std::filesystem::absolute(run.dir).string();
    if (buckets != nullptr && !buckets->model.empty()) {
        entry.hash_model = buckets->model;
        entry.buckets = results::history_buckets(*buckets);
    }
    return entry;
}

std::optional<HistoryProblem> append_to_history(const std::filesystem::path& file, const results::HistoryRun& entry)
{
    try {
        auto history = results::HistoryStore::open(file);
        (void)history.append(entry);
    } catch (const core::InputError& error) {
        return HistoryProblem{.message = std::string("history: ") + error.what(),
                              .exit_code = core::ExitCode::bad_input};
    } catch (const core::EnvironmentError& error) {
        return HistoryProblem{.message = std::string("history: ") + error.what(),
                              .exit_code = core::ExitCode::environment};
    }
    return std::nullopt;
}

std::string vantage_of(const scenarios::Scenario& scenario)
{
    if (!scenario.vantage.empty()) {
        return scenario.vantage;
    }
    std::array<char, 256> name{};
    return ::gethostname(name.data(), name.size() - 1) == 0 ? std::string(name.data()) : std::string("unknown");
}

}  // namespace tlsprobe::runs
