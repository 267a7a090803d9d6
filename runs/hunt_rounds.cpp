#include "runs/hunt_rounds.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include "core/jsonl_writer.hpp"
#include "prober/fleet.hpp"

namespace tlsprobe::runs {

HuntReport run_hunt(const scenarios::RunPlan& plan, const prober::FleetEndpoints& endpoints,
                    const prober::ClientTls& tls, results::HuntPlanner& planner, const std::filesystem::path& dir,
                    std::chrono::milliseconds gap)
{
    HuntReport report;
    core::JsonlWriter probes(dir / "probes.jsonl");
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
        // The round's records are renumbered in schedule order once it ends;
        // the lock is taken once per finished probe, never around socket I/O.
        std::mutex round_mutex;
        std::vector<prober::ProbeRecord> round_records;
        prober::Fleet fleet(round_plan, endpoints.target, endpoints.source, tls,
                            [&](const prober::ProbeRecord& record) {
                                const std::scoped_lock lock(round_mutex);
                                round_records.push_back(record);
                            });
        const auto fleet_report = fleet.run();
        std::sort(round_records.begin(), round_records.end(),
                  [](const auto& a, const auto& b) { return a.probe_id < b.probe_id; });
        for (auto& record : round_records) {
            record.probe_id = report.records.size();
            record.attempt = ++attempts[record.src_port];
            probes.append(boost::json::serialize(prober::to_json(record)));
            report.records.push_back(std::move(record));
        }
        ++report.rounds;
        if (fleet_report.interrupted) {
            report.interrupted = true;
            break;
        }
    }
    probes.close();
    return report;
}

}  // namespace tlsprobe::runs
