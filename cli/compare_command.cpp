#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "cli/command.hpp"
#include "reports/compare_text.hpp"
#include "runs/compare_session.hpp"
#include "runs/exit_decision.hpp"

namespace tlsprobe::cli {
namespace {

struct CompareOptions {
    std::string before;
    std::string after;
    std::string out_dir;
    bool force = false;
};

int compare(const CompareOptions& options)
{
    const auto result = runs::compare_session(
        {.before = options.before, .after = options.after, .out_dir = options.out_dir, .force = options.force});
    if (result.forced) {
        spdlog::warn("compared runs that do not measure the same thing (--force); see \"forced:\" on stdout");
    }
    fmt::print("{}", reports::compare_report(result.comparison, result.differences));
    spdlog::info("comparison in {} and {}", result.written.string(), result.written_html.string());
    return static_cast<int>(runs::exit_code(result.comparison.verdict));
}

}  // namespace

Command add_compare_command(CLI::App& parent)
{
    auto options = std::make_shared<CompareOptions>();
    auto* app = parent.add_subcommand(
        "compare", "Two runs of one scenario, before and after a change: improved, unchanged, regressed or inconclusive");
    app->add_option("BEFORE_DIR", options->before, "Run directory from before the change")->required();
    app->add_option("AFTER_DIR", options->after, "Run directory from after the change")->required();
    app->add_flag("--force", options->force,
                  "Compare runs that differ in target, scenario, port plan or TLS options (the output says so)");
    app->add_option("--out", options->out_dir, "Where compare.json and compare.html go (default: AFTER_DIR; created when missing)");
    return {app, [options] { return compare(*options); }};
}

}  // namespace tlsprobe::cli
