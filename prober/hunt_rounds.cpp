#include "prober/hunt_rounds.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <map>
#include <thread>

#include "prober/fleet.hpp"
#include "results/analysis.hpp"
#include "results/jsonl_writer.hpp"

namespace tlsprobe::prober {

HuntReport run_hunt(const scenarios::RunPlan& plan, const FleetEndpoints& endpoints, const ClientTls& tls,
                    results::HuntPlanner& planner, const std::filesystem::path& dir, std::chrono::milliseconds gap)
{
    HuntReport report;
    const results::JsonlWriter probes(dir / "probes.jsonl");
    const auto round_file = dir / "round.jsonl";
    std::map<std::uint16_t, std::uint32_t> attempts;
    for (auto ports = planner.next_round(report.records); !ports.empty();
         ports = planner.next_round(report.records)) {
        if (report.rounds != 0) {
            std::this_thread::sleep_for(gap);
        }
        auto round_plan = plan;
        round_plan.ports = std::move(ports);
        round_plan.count.reset();
        round_plan.duration.reset();
        round_plan.port_order = scenarios::PortOrder::sweep;
        spdlog::info("hunt round {}: {} probes ({} so far)", report.rounds + 1, round_plan.ports.size(),
                     report.records.size());
        std::filesystem::remove(round_file);
        FleetReport fleet_report;
        {
            const results::JsonlWriter round_probes(round_file);
            Fleet fleet(round_plan, endpoints.target, endpoints.source, tls, round_probes);
            fleet_report = fleet.run();
        }
        auto round_records = results::read_probes_file(round_file);
        std::sort(round_records.begin(), round_records.end(),
                  [](const auto& a, const auto& b) { return a.probe_id < b.probe_id; });
        for (auto& record : round_records) {
            record.probe_id = report.records.size();
            record.attempt = ++attempts[record.src_port];
            probes.append(boost::json::serialize(results::to_json(record)));
            report.records.push_back(std::move(record));
        }
        std::filesystem::remove(round_file);
        ++report.rounds;
        if (fleet_report.interrupted) {
            report.interrupted = true;
            break;
        }
    }
    return report;
}

}  // namespace tlsprobe::prober
