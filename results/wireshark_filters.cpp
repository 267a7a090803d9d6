#include "results/wireshark_filters.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <set>
#include <vector>

namespace tlsprobe::results {
namespace {

std::string display_filter(const std::vector<const VerdictRecord*>& records)
{
    std::map<std::string, std::set<std::uint16_t>> ports_by_address;
    for (const auto* record : records) {
        ports_by_address[record->client_ip].insert(record->client_port);
    }
    std::string filter;
    for (const auto& [address, ports] : ports_by_address) {
        std::string list;
        for (const auto port : ports) {
            list += (list.empty() ? "" : ", ") + std::to_string(port);
        }
        const bool v6 = address.find(':') != std::string::npos;
        filter += fmt::format("{}({}.addr == {} && tcp.port in {{{}}})", filter.empty() ? "" : " || ",
                              v6 ? "ipv6" : "ip", address, list);
    }
    return filter;
}

}  // namespace

std::map<Verdict, std::string> wireshark_filters(std::span<const VerdictRecord> verdicts)
{
    std::map<Verdict, std::vector<const VerdictRecord*>> by_verdict;
    for (const auto& record : verdicts) {
        by_verdict[record.verdict].push_back(&record);
    }
    std::map<Verdict, std::string> filters;
    for (int i = 0; i < verdict_count; ++i) {
        if (const auto verdict = static_cast<Verdict>(i); verdict != Verdict::ok && verdict != Verdict::local_error) {
            filters[verdict] = display_filter(by_verdict[verdict]);
        }
    }
    return filters;
}

}  // namespace tlsprobe::results
