#pragma once
#include <CLI/CLI.hpp>

#include <functional>

namespace tlsprobe::cli {

// A subcommand registered on the top-level app: `app` is where CLI11 records
// that it was chosen, `run` executes it once parsing succeeded and returns the
// process exit code. The options live in a config struct owned by `run`.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

[[nodiscard]] Command add_run_command(CLI::App& parent);
[[nodiscard]] Command add_analyze_command(CLI::App& parent);
[[nodiscard]] Command add_serve_command(CLI::App& parent);
[[nodiscard]] Command add_capture_command(CLI::App& parent);
[[nodiscard]] Command add_flows_command(CLI::App& parent);
[[nodiscard]] Command add_lab_command(CLI::App& parent);
[[nodiscard]] Command add_buckets_command(CLI::App& parent);
[[nodiscard]] Command add_hunt_command(CLI::App& parent);
[[nodiscard]] Command add_scenario_command(CLI::App& parent);
[[nodiscard]] Command add_compare_command(CLI::App& parent);
[[nodiscard]] Command add_canary_command(CLI::App& parent);
[[nodiscard]] Command add_history_command(CLI::App& parent);
[[nodiscard]] Command add_report_command(CLI::App& parent);

}  // namespace tlsprobe::cli
