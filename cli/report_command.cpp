#include <fmt/format.h>

#include <memory>
#include <string>

#include "cli/command.hpp"
#include "core/errors.hpp"
#include "runs/report_session.hpp"

namespace tlsprobe::cli {
namespace {

struct ReportOptions {
    std::string run_dir;
    std::string out;
};

int report(const ReportOptions& options)
{
    if (!std::filesystem::is_directory(options.run_dir)) {
        throw core::UsageError("RUN_DIR: " + options.run_dir + " is not a directory");
    }
    if (!options.out.empty() && std::filesystem::is_directory(options.out)) {
        throw core::UsageError("-o: " + options.out + " is a directory; name the HTML file to write");
    }
    const auto written = runs::write_run_report(options.run_dir, options.out);
    fmt::print("{}\n", written.string());
    return static_cast<int>(core::ExitCode::healthy);
}

}  // namespace

Command add_report_command(CLI::App& parent)
{
    auto options = std::make_shared<ReportOptions>();
    auto* app = parent.add_subcommand(
        "report", "Write one self-contained HTML file (report.html) showing a run: health, tables, pictures, ladders");
    app->add_option("RUN_DIR", options->run_dir, "A run or hunt directory (summary.json, probes.jsonl)")->required();
    app->add_option("-o,--out", options->out, "The HTML file to write (default: RUN_DIR/report.html), replaced whole");
    return {app, [options] { return report(*options); }};
}

}  // namespace tlsprobe::cli
