#include "reports/verdict_examples.hpp"

#include <set>

namespace tlsprobe::reports {

std::vector<const results::VerdictRecord*> verdict_examples(const results::Analysis& analysis)
{
    std::vector<const results::VerdictRecord*> examples;
    std::set<results::Verdict> shown;
    for (const auto& record : analysis.verdicts) {
        if (record.verdict == results::Verdict::ok || record.verdict == results::Verdict::local_error ||
            record.client_flow == nullptr || !shown.insert(record.verdict).second) {
            continue;
        }
        examples.push_back(&record);
    }
    return examples;
}

results::ClockOffset example_clock_offset(const results::Analysis& analysis)
{
    return analysis.join ? analysis.join->offset : results::ClockOffset{};
}

std::int64_t example_origin_ns(const results::FlowEvidence& client)
{
    return client.syn ? client.syn->packet.t_ns : client.first_ns;
}

}  // namespace tlsprobe::reports
