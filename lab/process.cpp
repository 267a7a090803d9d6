#include "lab/process.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"

namespace tlsprobe::lab {

ProcessResult run_process(std::span<const std::string> argv, std::string_view input)
{
    core::CommandOptions options;
    options.input = input;
    auto result = core::run_command(argv, options);
    return {result.exit.shell_status(), std::move(result.out), std::move(result.err)};
}

std::string run_checked(std::span<const std::string> argv, std::string_view input)
{
    auto result = run_process(argv, input);
    if (result.status != 0) {
        std::string err = result.err;
        while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) {
            err.pop_back();
        }
        for (auto& c : err) {
            if (c == '\n') {
                c = ' ';
            }
        }
        throw core::EnvironmentError(
            fmt::format("`{}` failed with status {}: {}", describe_command(argv), result.status, err));
    }
    return std::move(result.out);
}

pid_t spawn_detached(std::span<const std::string> argv, const std::filesystem::path& log)
{
    core::ChildOptions options;
    options.in = core::Input::null;
    options.out = core::Output::appended_file(log);
    options.err = core::Output::same_as_stdout();
    options.group = core::Group::own_session;
    return core::ChildProcess(argv, options).release();
}

}  // namespace tlsprobe::lab
