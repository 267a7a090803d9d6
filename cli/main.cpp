#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/error_message.hpp"
#include "core/errors.hpp"

namespace {

using tlsprobe::core::ExitCode;

int exit_code(tlsprobe::core::ExitCode code)
{
    return static_cast<int>(code);
}

void use_stderr_logger(bool verbose, bool quiet)
{
    auto logger = spdlog::stderr_color_mt("tlsprobe");
    logger->set_pattern("tlsprobe: %^%l%$: %v");
    logger->set_level(verbose ? spdlog::level::debug : quiet ? spdlog::level::warn : spdlog::level::info);
    spdlog::set_default_logger(logger);
}

std::string command_names(const std::vector<tlsprobe::cli::Command>& commands)
{
    std::string names;
    for (const auto& command : commands) {
        names += (names.empty() ? "" : ", ") + command.app->get_name();
    }
    return names;
}

// CLI11 says "The following arguments were not expected"; name the first
// stray token and, at the top level, what a command could have been.
std::string unknown_token_message(const CLI::App& app, const std::vector<tlsprobe::cli::Command>& commands)
{
    const auto stray = app.remaining(true);
    if (stray.empty()) {
        return "unexpected arguments";
    }
    const std::string& token = stray.front();
    const bool command_chosen = !app.get_subcommands().empty();
    if (token.starts_with("-")) {
        return "unknown option " + token;
    }
    if (!command_chosen) {
        return "unknown command " + token + "; commands are: " + command_names(commands);
    }
    return "unexpected argument " + token;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"tlsprobe: active synthetic TLS handshake prober"};
    // At most one; "none" is reported below with the list, after an unknown
    // token had its chance to be named (CLI11 checks requirements first).
    app.require_subcommand(0, 1);
    app.set_version_flag("--version", "tlsprobe " TLSPROBE_VERSION);
    bool verbose = false;
    bool quiet = false;
    app.add_flag("-v,--verbose", verbose, "Log debug detail to stderr");
    app.add_flag("-q,--quiet", quiet, "Log only warnings and errors")->excludes("--verbose");

    const std::vector<tlsprobe::cli::Command> commands{
        tlsprobe::cli::add_run_command(app),
        tlsprobe::cli::add_serve_command(app),
        tlsprobe::cli::add_analyze_command(app),
        tlsprobe::cli::add_capture_command(app),
        tlsprobe::cli::add_flows_command(app),
        tlsprobe::cli::add_lab_command(app),
        tlsprobe::cli::add_buckets_command(app),
        tlsprobe::cli::add_hunt_command(app),
        tlsprobe::cli::add_scenario_command(app),
        tlsprobe::cli::add_compare_command(app),
        tlsprobe::cli::add_canary_command(app),
        tlsprobe::cli::add_history_command(app),
        tlsprobe::cli::add_report_command(app),
    };

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForAllHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForVersion& version) {
        return app.exit(version);
    } catch (const CLI::ExtrasError&) {
        fmt::print(stderr, "tlsprobe: error: {}\n", unknown_token_message(app, commands));
        return exit_code(tlsprobe::core::ExitCode::bad_input);
    } catch (const CLI::ParseError& error) {
        fmt::print(stderr, "tlsprobe: error: {}\n", error.what());
        return exit_code(tlsprobe::core::ExitCode::bad_input);
    }
    if (app.get_subcommands().empty()) {
        fmt::print(stderr, "tlsprobe: error: a command is required; commands are: {}\n", command_names(commands));
        return exit_code(tlsprobe::core::ExitCode::bad_input);
    }
    use_stderr_logger(verbose, quiet);

    // Fixed order: the documented failures first, then anything unexpected.
    try {
        for (const auto& command : commands) {
            if (command.app->parsed()) {
                return command.run();
            }
        }
    } catch (const tlsprobe::core::UsageError& error) {
        spdlog::error("{}", tlsprobe::cli::message_of(error));
        return exit_code(tlsprobe::core::ExitCode::bad_input);
    } catch (const tlsprobe::core::InputError& error) {
        spdlog::error("{}", tlsprobe::cli::message_of(error));
        return exit_code(tlsprobe::core::ExitCode::bad_input);
    } catch (const tlsprobe::core::EnvironmentError& error) {
        spdlog::error("{}", tlsprobe::cli::message_of(error));
        return exit_code(tlsprobe::core::ExitCode::environment);
    } catch (const tlsprobe::core::LockedError& error) {
        spdlog::error("{}", tlsprobe::cli::message_of(error));
        return exit_code(tlsprobe::core::ExitCode::locked);
    } catch (const std::exception& error) {
        spdlog::critical("internal error (a bug, please report it): {}", error.what());
        return exit_code(tlsprobe::core::ExitCode::internal_error);
    }
    return exit_code(tlsprobe::core::ExitCode::bad_input);
}
