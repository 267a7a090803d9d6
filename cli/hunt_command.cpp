#include <array>
#include <memory>

#include "cli/bucket_flags.hpp"
#include "cli/command.hpp"
#include "cli/scenario_flags.hpp"
#include "runs/hunt_session.hpp"

namespace tlsprobe::cli {
namespace {

// The keys `hunt` takes as flags, in --help's order. Count and duration
// give way to the budget; a hunt captures nothing.
constexpr std::array<std::string_view, 28> hunt_keys{
    "probe.target",          "tls.sni",          "probe.source_ip",       "probe.ports",
    "probe.rate",            "probe.arrival",      "probe.seed",            "probe.concurrency",
    "probe.workers",         "probe.connect_timeout", "probe.handshake_timeout", "probe.data_timeout",
    "probe.hold",            "probe.request",      "probe.allow_high_load", "tls.tls_version",
    "tls.groups",            "tls.ciphers",        "tls.alpn",              "tls.ca_file",
    "tls.insecure",          "tls.resume",         "tls.pad_client_hello",  "buckets.model",
    "buckets.background_loss", "hunt.budget",      "hunt.repeat_gap",       "out",
};

int hunt(const ScenarioFlags& flags)
{
    const auto loaded = flags.load();
    check_hash_model(loaded);
    const auto& scenario = loaded.scenario;
    const BucketSettings settings({.model = scenario.hash_model, .background = scenario.background_loss});
    const auto result = runs::hunt_session({.scenario = scenario, .buckets = settings.config()});
    return print_bucket_report(result.analysis, result.report.interrupted);
}

}  // namespace

Command add_hunt_command(CLI::App& parent)
{
    auto* app = parent.add_subcommand(
        "hunt", "Probe adaptively until per-flow fault or random loss, and the faulty buckets, are settled");
    auto flags = std::make_shared<ScenarioFlags>(*app, hunt_keys);
    return {app, [flags] { return hunt(*flags); }};
}

}  // namespace tlsprobe::cli
