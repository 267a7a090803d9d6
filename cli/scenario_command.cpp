#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.hpp"
#include "cli/scenario_flags.hpp"
#include "scenarios/scenario_file.hpp"

namespace tlsprobe::cli {

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
    // Every key is a flag of `show`.
    static const auto key_paths = [] {
        std::vector<std::string> paths;
        for (const auto& key : scenarios::scenario_keys()) {
            paths.push_back(key.path);
        }
        paths.emplace_back("capture");
        return paths;
    }();
    static const std::vector<std::string_view> all_keys(key_paths.begin(), key_paths.end());
    auto show_flags = std::make_shared<ScenarioFlags>(*show, all_keys);
    show_flags->take_file_as_argument(*show);
    return {app, [check, check_flags, show_flags] {
                if (check->parsed()) {
                    const auto loaded = check_flags->load();
                    check_scenario_names(loaded);
                    fmt::print("ok: scenario \"{}\", target {}:{}\n", loaded.scenario.name,
                               loaded.scenario.plan.target.host, loaded.scenario.plan.target.port);
                    return 0;
                }
                const auto loaded = show_flags->load();
                check_scenario_names(loaded);
                fmt::print("{}", scenarios::scenario_toml(loaded.scenario, true));
                return 0;
            }};
}

}  // namespace tlsprobe::cli
