#include <fmt/format.h>

#include <array>
#include <memory>

#include "cli/command.hpp"
#include "cli/scenario_flags.hpp"
#include "scenarios/scenario_file.hpp"

namespace tlsprobe::cli {
namespace {

// Every key a flag can set, for `scenario show FILE [flags]`.
constexpr std::array<std::string_view, 43> all_keys{
    "name", "description", "out", "probe.target", "tls.sni", "probe.source_ip", "probe.ports", "probe.ports_file",
    "probe.port_order", "probe.count", "probe.duration", "probe.rate", "probe.arrival", "probe.seed",
    "probe.concurrency", "probe.workers", "probe.connect_timeout", "probe.handshake_timeout", "probe.data_timeout",
    "probe.hold", "probe.request", "probe.allow_high_load", "probe.capture_linger", "tls.tls_version", "tls.groups",
    "tls.ciphers", "tls.alpn", "tls.ca_file", "tls.insecure", "tls.resume", "tls.pad_client_hello", "buckets.model",
    "buckets.background_loss", "hunt.budget", "hunt.repeat_gap", "thresholds.alpha", "thresholds.power",
    "thresholds.min_rate_change", "thresholds.latency_tolerance_ratio", "thresholds.latency_tolerance_ms",
    "thresholds.max_failure_rate", "thresholds.min_probes", "capture",
};

}  // namespace

Command add_scenario_command(CLI::App& parent)
{
    auto* app = parent.add_subcommand("scenario", "Check a scenario file, or show the scenario a run would use");
    app->require_subcommand(1);
    auto* check = app->add_subcommand("check", "Validate a scenario file: exit 0 when it loads, 2 naming the "
                                               "file, line, column and key when it does not");
    auto* show = app->add_subcommand("show", "Print the effective scenario (file, flags on top, defaults filled) "
                                             "as TOML");
    auto check_flags = std::make_shared<ScenarioFlags>(*check, std::span<const std::string_view>{});
    check_flags->take_file_as_argument(*check);
    auto show_flags = std::make_shared<ScenarioFlags>(*show, all_keys);
    show_flags->take_file_as_argument(*show);
    return {app, [check, check_flags, show_flags] {
                if (check->parsed()) {
                    const auto loaded = check_flags->load();
                    check_hash_model(loaded);
                    fmt::print("ok: scenario \"{}\", target {}:{}\n", loaded.scenario.name,
                               loaded.scenario.plan.target.host, loaded.scenario.plan.target.port);
                    return 0;
                }
                const auto loaded = show_flags->load();
                check_hash_model(loaded);
                fmt::print("{}", scenarios::scenario_toml(loaded.scenario, true));
                return 0;
            }};
}

}  // namespace tlsprobe::cli
