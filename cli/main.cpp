#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <exception>
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

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"tlsprobe: active synthetic TLS handshake prober"};
    app.require_subcommand(1);
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
    };

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForAllHelp& help) {
        return app.exit(help);
    } catch (const CLI::ParseError& error) {
        fmt::print(stderr, "tlsprobe: error: {}\n", error.what());
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
    } catch (const std::exception& error) {
        spdlog::critical("internal error (a bug, please report it): {}", error.what());
        return exit_code(tlsprobe::core::ExitCode::internal_error);
    }
    return exit_code(tlsprobe::core::ExitCode::bad_input);
}
