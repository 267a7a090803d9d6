#include "runs/run_directory.hpp"

#include <ctime>

#include "core/errors.hpp"

namespace tlsprobe::runs {

std::filesystem::path make_run_directory(const std::string& requested, std::string_view prefix)
{
    std::filesystem::path dir = requested;
    if (dir.empty()) {
        const std::time_t now = std::time(nullptr);
        std::tm utc{};
        gmtime_r(&now, &utc);
        char name[32];
        std::strftime(name, sizeof name, "%Y%m%d-%H%M%S", &utc);
        dir = std::filesystem::path("runs") / (std::string(prefix) + name);
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        throw core::EnvironmentError("out", ": cannot create " + dir.string() + ": " + ec.message());
    }
    return dir;
}

std::filesystem::path vantage_flows_file(const std::filesystem::path& run_dir, std::string_view name)
{
    return run_dir / (std::string(name) + ".flows.jsonl");
}

results::AnalysisInputs read_run_directory(const std::filesystem::path& dir)
{
    results::AnalysisInputs inputs;
    if (const auto probes = dir / "probes.jsonl"; std::filesystem::exists(probes)) {
        inputs.probes = results::read_probes_file(probes);
    }
    for (auto* vantage : {&inputs.client, &inputs.server}) {
        const std::string name = vantage == &inputs.client ? "client" : "server";
        if (const auto flows = vantage_flows_file(dir, name); std::filesystem::exists(flows)) {
            *vantage = results::read_flows_file(flows, name);
        }
    }
    return inputs;
}

}  // namespace tlsprobe::runs
