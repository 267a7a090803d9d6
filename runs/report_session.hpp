#pragma once
// `tlsprobe report RUN_DIR` as a library call, and the report.html that
// `run`, `hunt` and an unhealthy `canary` leave in their run directory.
#include <filesystem>
#include <optional>

#include "runs/run_session.hpp"

namespace tlsprobe::runs {

// Writes the HTML report of run directory `dir` to `out` (empty:
// DIR/report.html), whole or not at all, and returns its path. Reads
// summary.json and probes.jsonl; the verdicts come from `run` when given
// (the session that just ended), otherwise from the directory's captures as
// `analyze` reads them; the buckets from buckets.json, or from the
// scenario's hash model when the directory has none. core::InputError
// naming the file when the directory is not a finished run.
std::filesystem::path write_run_report(const std::filesystem::path& dir, const std::filesystem::path& out = {},
                                       const RunResult* run = nullptr);

// The report a session leaves in its run directory: write_run_report into
// DIR/report.html; a report that cannot be written is a warning naming why,
// never the end of a run whose records are already safe. The path, or
// nothing when it failed.
std::optional<std::filesystem::path> leave_run_report(const std::filesystem::path& dir, const RunResult* run = nullptr);

}  // namespace tlsprobe::runs
