#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "cli/command.hpp"
#include "results/analysis.hpp"
#include "core/errors.hpp"
#include "reports/analysis_text.hpp"
#include "results/health.hpp"
#include "runs/exit_decision.hpp"
#include "runs/run_directory.hpp"

namespace tlsprobe::cli {
namespace {

struct AnalyzeOptions {
    std::string run_dir;
    std::string probes;
    std::string client_pcap;
    std::string server_pcap;
    std::string client_flows;
    std::string server_flows;
    std::string out_dir;
};

std::filesystem::path existing(const std::string& path, std::string_view flag)
{
    if (!std::filesystem::is_regular_file(path)) {
        throw core::UsageError(std::string(flag) + ": " + path + " does not exist or is not a file");
    }
    return path;
}

// A vantage given by flag replaces the one of RUN_DIR.
void override_vantage(std::optional<results::VantageFlows>& vantage, const std::string& pcap, const std::string& flows,
                      const std::string& name)
{
    if (!pcap.empty()) {
        vantage = results::read_pcap_file(existing(pcap, "--" + name + "-pcap"), name);
    } else if (!flows.empty()) {
        vantage = results::read_flows_file(existing(flows, "--" + name + "-flows"), name);
    }
}

int analyze(const AnalyzeOptions& options)
{
    const std::filesystem::path run_dir = options.run_dir;
    if (!run_dir.empty() && !std::filesystem::is_directory(run_dir)) {
        throw core::UsageError("RUN_DIR: " + options.run_dir + " is not a directory");
    }
    auto inputs = run_dir.empty() ? results::AnalysisInputs{} : runs::read_run_directory(run_dir);
    const auto probes_file = !options.probes.empty() ? existing(options.probes, "--probes") : run_dir / "probes.jsonl";
    if (!options.probes.empty()) {
        inputs.probes = results::read_probes_file(probes_file);
    }
    override_vantage(inputs.client, options.client_pcap, options.client_flows, "client");
    override_vantage(inputs.server, options.server_pcap, options.server_flows, "server");
    if (!inputs.client && !inputs.server) {
        throw core::UsageError("nothing to analyze: give RUN_DIR with captures, or --client-pcap / --server-pcap");
    }
    if (!inputs.client) {
        throw core::UsageError("a client-side capture is needed (--client-pcap, --client-flows or a run with "
                                  "--capture client=...): verdicts start from what the client sent");
    }
    for (const auto* vantage : {&inputs.client, &inputs.server}) {
        if (*vantage && (*vantage)->input_error) {
            spdlog::warn("{} capture {} is truncated ({}); the complete flows are analysed", (*vantage)->name,
                         (*vantage)->source, *(*vantage)->input_error);
        }
    }

    const auto analysis = results::analyze(inputs);
    if (inputs.probes && !inputs.probes->empty() && !inputs.client->flows.empty() &&
        analysis.probes_without_client_flow == inputs.probes->size()) {
        throw core::InputError("the client capture " + inputs.client->source + " holds none of the " +
                                  std::to_string(inputs.probes->size()) + " probes in " + probes_file.string() +
                                  ": it is from another run, another host, or another vantage");
    }
    if (inputs.server && analysis.join && !inputs.server->flows.empty() &&
        analysis.join->unjoined_server.size() == inputs.server->flows.size()) {
        spdlog::warn("no flow of the server capture {} matches a client flow: wrong vantage or unrelated traffic? "
                     "Server-side verdicts below assume it saw nothing of these connections",
                     inputs.server->source);
    }

    const auto out = runs::make_run_directory(options.out_dir.empty() ? options.run_dir : options.out_dir,
                                                 "analysis-");
    results::write_analysis(analysis, inputs, out);
    fmt::print("{}", reports::analysis_report(analysis, inputs));
    spdlog::info("verdicts in {}", (out / "verdicts.jsonl").string());
    auto judgement = results::judge_verdicts(analysis.counts);
    if (inputs.probes) {
        prober::RunStats stats;
        for (const auto& record : *inputs.probes) {
            stats.add(record);
        }
        judgement.merge(results::judge_outcomes(stats));
    }
    for (const auto& reason : judgement.reasons) {
        spdlog::info("{}", reason);
    }
    return static_cast<int>(runs::exit_code(judgement, false));
}

}  // namespace

Command add_analyze_command(CLI::App& parent)
{
    auto options = std::make_shared<AnalyzeOptions>();
    auto* app = parent.add_subcommand(
        "analyze", "Join client and server captures with the probes and give each connection a verdict");
    app->add_option("RUN_DIR", options->run_dir,
                    "A run directory (probes.jsonl, client.flows.jsonl, server.flows.jsonl)");
    app->add_option("--probes", options->probes, "probes.jsonl to judge (default: RUN_DIR's)");
    auto* client_pcap = app->add_option("--client-pcap", options->client_pcap, "pcap/pcapng taken at the client");
    auto* server_pcap = app->add_option("--server-pcap", options->server_pcap, "pcap/pcapng taken at the server");
    app->add_option("--client-flows", options->client_flows, "Timelines from `tlsprobe capture` at the client")
        ->excludes(client_pcap);
    app->add_option("--server-flows", options->server_flows, "Timelines from `tlsprobe capture` at the server")
        ->excludes(server_pcap);
    app->add_option("--out", options->out_dir, "Where verdicts.jsonl and analysis.json go (default: RUN_DIR)");
    return {app, [options] { return analyze(*options); }};
}

}  // namespace tlsprobe::cli
