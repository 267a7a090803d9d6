#pragma once
// `--scenario FILE` and the flags that set a scenario's keys, shared by
// `run`, `hunt` and `scenario show`: a flag given replaces the file's value,
// and both pass the same checks (scenarios/scenario_file.hpp).
#include <CLI/CLI.hpp>

#include <array>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/scenario_file.hpp"

namespace tlsprobe::cli {

// The keys that shape each probe: flags of both `run` and `hunt`.
inline constexpr std::array<std::string_view, 23> probe_keys{
    "probe.target",     "tls.sni",          "probe.source_ip",       "probe.ports",
    "probe.rate",       "probe.arrival",    "probe.seed",            "probe.concurrency",
    "probe.workers",    "probe.connect_timeout", "probe.handshake_timeout", "probe.data_timeout",
    "probe.hold",       "probe.request",    "probe.allow_high_load", "tls.tls_version",
    "tls.groups",       "tls.ciphers",      "tls.alpn",              "tls.ca_file",
    "tls.insecure",     "tls.resume",       "tls.pad_client_hello",
};

class ScenarioFlags {
public:
    // Registers --scenario and one flag per key of `keys`, then of `more`
    // ("probe.rate" is --rate, "capture" the repeatable --capture
    // NAME=SPEC), with the key's help and default.
    ScenarioFlags(CLI::App& app, std::span<const std::string_view> keys, std::span<const std::string_view> more = {});

    // Adds FILE as a positional argument instead of --scenario (`scenario show FILE`).
    void take_file_as_argument(CLI::App& app);

    // The scenario file with the given flags on top, validated; its notes
    // (caps applied) are logged as warnings.
    [[nodiscard]] scenarios::LoadedScenario load() const;

private:
    std::optional<std::filesystem::path> file_;
    std::map<std::string, std::pair<CLI::Option*, std::string>> flags_;   // key -> option, its text
    CLI::Option* captures_option_ = nullptr;
    std::vector<std::string> captures_;
};

// Checks what only the results library can read: the hash model and the
// forbidden verdicts' names; errors name the file position of their key.
void check_scenario_names(const scenarios::LoadedScenario& loaded);

}  // namespace tlsprobe::cli
