#include "cli/scenario_flags.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "cli/error_message.hpp"
#include "results/hash_model.hpp"
#include "results/verdict.hpp"

namespace tlsprobe::cli {

ScenarioFlags::ScenarioFlags(CLI::App& app, std::span<const std::string_view> keys,
                             std::span<const std::string_view> more)
{
    app.add_option("--scenario", file_,
                   "Scenario file (TOML, docs/SCENARIOS.md); the other flags replace its values");
    const auto all = scenarios::scenario_keys();
    std::vector<std::string_view> paths(keys.begin(), keys.end());
    paths.insert(paths.end(), more.begin(), more.end());
    for (const auto path : paths) {
        if (path == "capture") {
            captures_option_ = app.add_option("--capture", captures_,
                                              "NAME=INTERFACE or NAME=COMMAND: a capture vantage (repeatable); "
                                              "client and server are analysed")
                                   ->take_all()
                                   ->allow_extra_args(false);
            continue;
        }
        const auto key = std::find_if(all.begin(), all.end(), [&](const auto& k) { return k.path == path; });
        if (key == all.end()) {
            throw std::logic_error("no scenario key " + std::string(path));
        }
        auto& [option, text] = flags_[key->path];
        const auto flag = flag_of(key->name);
        if (key->is_switch) {
            option = app.add_flag(flag, key->help);
        } else {
            option = app.add_option(flag, text, key->help)->type_name("VALUE");
            if (!key->default_text.empty() && key->default_text != "''" && key->default_text != "[]") {
                option->default_str(key->default_text);
            }
        }
    }
    // A file may hold either of these; on the command line both at once is a mistake.
    const auto exclude = [this](const char* one, const char* other) {
        if (flags_.contains(one) && flags_.contains(other)) {
            flags_.at(one).first->excludes(flags_.at(other).first);
        }
    };
    exclude("probe.count", "probe.duration");
    exclude("probe.ports", "probe.ports_file");
    exclude("tls.insecure", "tls.ca_file");
}

void ScenarioFlags::take_file_as_argument(CLI::App& app)
{
    app.remove_option(app.get_option("--scenario"));
    app.add_option("file", file_, "Scenario file (TOML)")->required();
}

scenarios::LoadedScenario ScenarioFlags::load() const
{
    scenarios::ScenarioOverrides overrides;
    for (const auto& [path, flag] : flags_) {
        const auto& [option, text] = flag;
        if (option->count() > 0) {
            overrides.set(path, {option->get_expected() == 0 ? std::string("true") : text});
        }
    }
    if (captures_option_ != nullptr && captures_option_->count() > 0) {
        overrides.set("capture", captures_);
    }
    auto loaded = scenarios::load_scenario(file_, overrides);
    for (const auto& note : loaded.notes) {
        spdlog::warn("{}", flags_in(note));
    }
    return loaded;
}

void check_scenario_names(const scenarios::LoadedScenario& loaded)
{
    const auto& scenario = loaded.scenario;
    for (const auto& name : scenario.thresholds.forbidden_verdicts) {
        if (!results::verdict_from_string(name)) {
            loaded.sources.rethrow(core::UsageError("forbidden_verdicts", ": \"" + name + "\" is not a verdict "
                                                                          "(docs/VERDICTS.md)"));
        }
    }
    if (scenario.hash_model.empty()) {
        return;
    }
    try {
        (void)results::parse_hash_model(scenario.hash_model);
    } catch (const core::UsageError& error) {
        loaded.sources.rethrow(core::UsageError("model", ": " + std::string(error.what())));
    }
}

}  // namespace tlsprobe::cli
