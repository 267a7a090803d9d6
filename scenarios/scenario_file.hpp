#pragma once
// Scenario files: TOML (docs/SCENARIOS.md) read through toml++, with the
// command line's values on top. A file's mistakes are reported with its
// name, line and column, the key and what the key allows; a flag's with the
// flag. Every value, from a file or a flag, passes the same checks.
#include <toml++/toml.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "scenarios/scenario.hpp"

namespace tlsprobe::scenarios {

// Where each setting of a loaded scenario came from: a file position, or
// nothing (a flag or the default).
class ScenarioSources {
public:
    void set(std::string field, std::string position) { positions_[std::move(field)] = std::move(position); }
    // "file.toml:12:1" for a field the file set; empty otherwise.
    [[nodiscard]] std::string position_of(const std::string& field) const;
    // The error as the user should read it: about a field the file set, a
    // core::InputError naming the file position and the key; otherwise
    // `error` unchanged (the CLI names the flag).
    [[noreturn]] void rethrow(const core::UsageError& error) const;

private:
    std::map<std::string, std::string> positions_;
};

struct LoadedScenario {
    Scenario scenario;
    ScenarioSources sources;
    std::vector<std::string> notes;   // caps applied by validation, fields in backquotes
};

// The command line's values, keyed as in the file ("probe.rate"), as the
// flags' text; each replaces the file's value and passes the same checks. A
// value that excludes another key (count and duration, ports and
// ports_file, insecure and ca_file) also drops that key from the file.
class ScenarioOverrides {
public:
    // `texts` has one element, but several for "capture" (NAME=SPEC each)
    // and comma-separated words for a list ("tls.alpn").
    void set(const std::string& key, std::vector<std::string> texts) { values_[key] = std::move(texts); }
    [[nodiscard]] const std::map<std::string, std::vector<std::string>>& values() const { return values_; }

private:
    std::map<std::string, std::vector<std::string>> values_;
};

// Loads `file` (none: defaults only) with `overrides` on top and validates
// the result. core::InputError for a file's mistake (syntax, unknown key with
// the nearest known one, wrong type, out of range, conflicting keys, a
// missing required key), core::UsageError naming the field for a flag's.
[[nodiscard]] LoadedScenario load_scenario(const std::optional<std::filesystem::path>& file,
                                           const ScenarioOverrides& overrides);

// The scenario as a TOML document that loads back to the same scenario:
// every setting, defaults included, in the file's order. `out` is left out
// when `with_out` is false (a run directory's copy: running it again must
// not write into the same directory).
[[nodiscard]] std::string scenario_toml(const Scenario& scenario, bool with_out);

// One key a scenario file takes, as a flag shows it.
struct ScenarioKey {
    std::string path;           // "probe.rate"; the flag is --rate
    std::string name;           // the field
    std::string help;
    std::string default_text;   // the default as TOML text; empty when unset by default
    bool is_switch = false;     // a boolean: the flag takes no value
};

// Every key but `capture` and `labels`, in the file's order.
[[nodiscard]] std::vector<ScenarioKey> scenario_keys();

}  // namespace tlsprobe::scenarios
