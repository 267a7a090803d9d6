#pragma once
// Flow-table options shared by `tlsprobe capture` and `tlsprobe flows`.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "capture/flow_table.hpp"
#include "cli/number_checks.hpp"
#include "core/durations.hpp"

namespace tlsprobe::cli {

struct FlowTableFlags {
    double idle_timeout_s = 60.0;
    double linger_s = 2.0;
    std::size_t max_flows = 262'144;

    void add_to(CLI::App& app)
    {
        app.add_option("--idle-timeout", idle_timeout_s, "Seconds without a packet before a flow ends as idle")
            ->check(greater_than_zero)
            ->capture_default_str();
        app.add_option("--linger", linger_s, "Seconds a closed or reset flow still collects late packets")
            ->check(at_least_zero)
            ->capture_default_str();
        app.add_option("--max-flows", max_flows, "Open flows kept at once; the least recently seen is evicted beyond it")
            ->check(CLI::Range(std::size_t{1}, std::size_t{16'777'216}))
            ->capture_default_str();
    }

    [[nodiscard]] capture::FlowTableConfig config() const
    {
        capture::FlowTableConfig c;
        c.idle_timeout_ns = core::seconds_flag<std::chrono::nanoseconds>(idle_timeout_s).count();
        c.linger_ns = core::seconds_flag<std::chrono::nanoseconds>(linger_s).count();
        c.max_flows = max_flows;
        return c;
    }
};

// "-" means stdout.
[[nodiscard]] inline std::string output_path(const std::string& out)
{
    return out == "-" ? std::string("/dev/stdout") : out;
}

}  // namespace tlsprobe::cli
