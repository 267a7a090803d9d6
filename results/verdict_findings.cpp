#include "results/verdict_findings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>

namespace tlsprobe::results {
namespace {

template <typename Key>
std::string most_common(const std::vector<const VerdictRecord*>& records, Key key)
{
    std::map<std::string, int> counts;
    for (const auto* record : records) {
        if (auto value = key(*record); !value.empty()) {
            ++counts[value];
        }
    }
    std::string best;
    int best_count = 0;
    for (const auto& [value, count] : counts) {
        if (count > best_count) {
            best = value;
            best_count = count;
        }
    }
    return best;
}

std::string_view evidence_words(MiddleboxEvidence evidence)
{
    switch (evidence) {
    case MiddleboxEvidence::ttl:
        return "by TTL";
    case MiddleboxEvidence::isn:
        return "by rewritten ISN";
    case MiddleboxEvidence::ports:
        return "by rewritten address or port";
    case MiddleboxEvidence::client_random:
        break;
    }
    return "by rewritten client random";
}

}  // namespace

std::vector<std::string> verdict_findings(const Analysis& analysis)
{
    const std::uint64_t total = analysis.verdicts.size();
    std::vector<std::string> findings;
    std::map<Verdict, std::vector<const VerdictRecord*>> by_verdict;
    for (const auto& record : analysis.verdicts) {
        by_verdict[record.verdict].push_back(&record);
    }
    const auto count = [&](Verdict v) { return by_verdict[v].size(); };
    const auto acked = [&](const std::vector<const VerdictRecord*>& records) {
        std::vector<const VerdictRecord*> out;
        std::copy_if(records.begin(), records.end(), std::back_inserter(out),
                     [](const VerdictRecord* r) { return r->ack_ttl.has_value(); });
        return out;
    };
    const auto ack_words = [&](const std::vector<const VerdictRecord*>& records) {
        const auto ttl = most_common(records, [](const VerdictRecord& r) { return std::to_string(*r.ack_ttl); });
        const auto hops = estimate_hops(static_cast<std::uint8_t>(std::stoi(ttl)));
        const auto server_ttl = most_common(records, [](const VerdictRecord& r) {
            return r.server_sent_ttl ? std::to_string(*r.server_sent_ttl) : std::string{};
        });
        const auto synack_ttl = most_common(records, [](const VerdictRecord& r) {
            return r.synack_ttl_at_client ? std::to_string(*r.synack_ttl_at_client) : std::string{};
        });
        if (server_ttl.empty() && synack_ttl == ttl) {
            return fmt::format("ACKed with the SYN-ACK's TTL ({}, {} hop{} away): most likely by the server itself", ttl,
                               hops.hops, hops.hops == 1 ? "" : "s");
        }
        std::string words = fmt::format("ACKed by a device {} hop{} from the client (TTL {}", hops.hops,
                                        hops.hops == 1 ? "" : "s", ttl);
        if (!server_ttl.empty()) {
            words += fmt::format("; the server sends with {}", server_ttl);
        } else if (!synack_ttl.empty()) {
            words += fmt::format("; the SYN-ACK came with {}", synack_ttl);
        }
        return words + ")";
    };
    if (const auto n = count(Verdict::client_hello_lost)) {
        const auto with_ack = acked(by_verdict[Verdict::client_hello_lost]);
        std::string sentence = fmt::format("{} of {} ClientHellos never reached the server", n, total);
        if (with_ack.size() == n) {
            sentence += "; each was " + ack_words(with_ack);
        } else if (!with_ack.empty()) {
            sentence += fmt::format("; {} were {}, {} were never ACKed", with_ack.size(), ack_words(with_ack),
                                    n - with_ack.size());
        } else {
            sentence += "; none was ACKed";
        }
        findings.push_back(sentence + ".");
    }
    if (const auto n = count(Verdict::server_silence)) {
        findings.push_back(
            fmt::format("{} of {} ClientHellos reached the server, which never answered with a ServerHello.", n, total));
    }
    if (const auto n = count(Verdict::server_hello_lost)) {
        findings.push_back(fmt::format("{} ServerHellos left the server and never reached the client.", n));
    }
    if (const auto n = count(Verdict::syn_lost)) {
        findings.push_back(fmt::format("{} of {} SYNs never reached the server.", n, total));
    }
    if (const auto n = count(Verdict::synack_lost)) {
        findings.push_back(fmt::format("{} SYN-ACKs left the server and never reached the client.", n));
    }
    if (const auto n = count(Verdict::midstream_reset)) {
        std::map<ResetOriginator, int> by;
        for (const auto* record : by_verdict[Verdict::midstream_reset]) {
            ++by[record->reset_by];
        }
        findings.push_back(fmt::format(
            "{} connections were reset after the TCP handshake: {} by the server, {} by the client, {} injected by the "
            "path (the client saw a RST the server never sent){}.",
            n, by[ResetOriginator::server], by[ResetOriginator::client], by[ResetOriginator::injected],
            by[ResetOriginator::not_known] != 0
                ? fmt::format(", {} by the server or the path (no server capture)", by[ResetOriginator::not_known])
                : std::string{}));
    }
    std::vector<const VerdictRecord*> no_server_hello;
    for (const auto* record : by_verdict[Verdict::unknown]) {
        if (record->sub == VerdictSub::no_server_hello_client_hello_acked ||
            record->sub == VerdictSub::no_server_hello_unacked) {
            no_server_hello.push_back(record);
        }
    }
    if (!no_server_hello.empty()) {
        const auto with_ack = acked(no_server_hello);
        std::string sentence = fmt::format(
            "{} of {} ClientHellos got no ServerHello; without a server capture a lost ClientHello cannot be told "
            "from a silent server",
            no_server_hello.size(), total);
        if (!with_ack.empty()) {
            sentence += fmt::format(", but {} were {}", with_ack.size(), ack_words(with_ack));
        }
        findings.push_back(sentence + ".");
    }
    std::map<std::string, std::size_t> undecided;
    std::size_t undecided_total = 0;
    for (const auto* record : by_verdict[Verdict::unknown]) {
        if (std::find(no_server_hello.begin(), no_server_hello.end(), record) == no_server_hello.end()) {
            ++undecided[std::string(sub_name(*record))];
            ++undecided_total;
        }
    }
    if (undecided_total != 0) {
        std::string reasons;
        for (const auto& [reason, n] : undecided) {
            reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", n, reason.empty() ? "undecided" : reason);
        }
        findings.push_back(fmt::format(
            "{} of {} connections have verdict unknown: the evidence does not decide them ({}); they are not "
            "counted as fine.",
            undecided_total, total, reasons));
    }
    if (analysis.path_split != 0) {
        findings.push_back(fmt::format(
            "{} flows were seen with more than one source MAC or TTL at one vantage: packets of one flow took different "
            "paths.",
            analysis.path_split));
    }
    if (analysis.middlebox != 0) {
        std::map<MiddleboxEvidence, int> reasons;
        for (const auto& record : analysis.verdicts) {
            for (const auto reason : record.middlebox_evidence) {
                ++reasons[reason];
            }
        }
        std::string list;
        for (const auto& [reason, n] : reasons) {
            list += fmt::format("{}{} {}", list.empty() ? "" : ", ", n, evidence_words(reason));
        }
        const bool tls_terminating = reasons.contains(MiddleboxEvidence::client_random);
        const std::string_view terminates = tls_terminating ? "; a rewritten client random means it terminates TLS"
                                            : reasons.contains(MiddleboxEvidence::isn) ? "; it terminates TCP"
                                                                                       : "";
        findings.push_back(fmt::format("{} flows show a middlebox ({}){}.", analysis.middlebox, list, terminates));
    }
    if (analysis.uncertain != 0) {
        findings.push_back(fmt::format(
            "{} verdicts rely on a capture whose kernel reported dropped packets; they are marked uncertain.",
            analysis.uncertain));
    }
    if (total == 0) {
        findings.push_back("There is no connection to judge.");
    } else if (count(Verdict::local_error) == total) {
        findings.push_back(fmt::format("None of the {} probes reached the wire (local_error): nothing was judged.",
                                       total));
    } else if (findings.empty() && count(Verdict::ok) + count(Verdict::local_error) == total) {
        findings.push_back(count(Verdict::local_error) == 0
                               ? fmt::format("All {} connections completed; nothing was lost on the path.", total)
                               : fmt::format("All {} connections that reached the wire completed; nothing was lost on "
                                             "the path ({} never left this host: local_error).",
                                             count(Verdict::ok), count(Verdict::local_error)));
    }
    return findings;
}

}  // namespace tlsprobe::results
