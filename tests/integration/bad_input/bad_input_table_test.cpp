// Wrong flags and files, one table: each case runs the built binary and
// expects its exit code, a message naming the problem on stderr, no crash,
// and nothing left behind that should not exist.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "child_process.hpp"
#include "prober/probe_record.hpp"

namespace tlsprobe::testing {
namespace {

struct Case {
    std::string name;
    // After the binary; "{dir}" becomes the case's scratch directory, here and in every field below.
    std::vector<std::string> args;
    int exit_code = 2;
    std::string message;                                       // expected on stderr
    std::vector<std::pair<std::string, std::string>> files{};  // created in the scratch directory first
    std::vector<std::string> absent{};                         // must not exist afterwards
    bool one_line = false;                                     // stderr is exactly the one error line
    std::string not_on_stdout{};                               // e.g. a readiness line printed too early
};

void PrintTo(const Case& c, std::ostream* out)
{
    *out << c.name;
}

std::string with_dir(std::string text, const std::string& dir)
{
    for (auto at = text.find("{dir}"); at != std::string::npos; at = text.find("{dir}", at + dir.size())) {
        text.replace(at, 5, dir);
    }
    return text;
}

std::string one_probe_line()
{
    prober::ProbeRecord record;
    record.src_ip = "127.0.0.1";
    record.src_port = 20000;
    record.dst_ip = "127.0.0.1";
    record.dst_port = 443;
    return boost::json::serialize(prober::to_json(record)) + "\n";
}

const std::string flow_line =
    R"({"type":"flow","vantage":"client","flow_id":1,"client_ip":"198.18.1.2","client_port":40000,)"
    R"("server_ip":"198.18.0.10","server_port":443,"first_ns":1,"syn":null,"syn_ack":null,)"
    R"("client_hello":null,"server_hello":null,"client_to_server":{"packets":1,"payload_bytes":0,"ttls":[64],"src_macs":[]},)"
    R"("server_to_client":{"packets":0,"payload_bytes":0,"ttls":[],"src_macs":[]},"closes":[]})"
    "\n";

// `run` with these flags must refuse before it creates the run directory.
Case run_case(std::string name, std::vector<std::string> flags, std::string message)
{
    std::vector<std::string> args{"run", "--out", "{dir}/run"};
    args.insert(args.end(), flags.begin(), flags.end());
    return {.name = std::move(name),
            .args = std::move(args),
            .message = std::move(message),
            .absent = {"run"},
            .one_line = true};
}

Case buckets_case(std::string name, std::vector<std::string> args, std::string message)
{
    args.insert(args.begin(), "buckets");
    return {.name = std::move(name),
            .args = std::move(args),
            .message = std::move(message),
            .files = {{"probes.jsonl", one_probe_line()}},
            .absent = {"buckets.json"}};
}

// `count` probes of one tuple each, all ending in `outcome`.
std::string probe_lines(std::size_t count, std::string_view outcome)
{
    std::string lines;
    for (std::size_t i = 0; i < count; ++i) {
        prober::ProbeRecord record;
        record.probe_id = i;
        record.src_ip = "127.0.0.1";
        record.src_port = static_cast<std::uint16_t>(20000 + i);
        record.dst_ip = "127.0.0.1";
        record.dst_port = 443;
        record.outcome = *prober::outcome_from_string(outcome);
        lines += boost::json::serialize(prober::to_json(record)) + "\n";
    }
    return lines;
}

// A pcap file's global header and not one packet: what a capture holds when
// it was cut right after it started (Ethernet, snaplen 65535).
const std::string empty_pcap("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                             "\xff\xff\x00\x00\x01\x00\x00\x00",
                             24);

std::vector<Case> cases()
{
    const std::string target = "127.0.0.1:443";
    return {
        // Existing checks of `run`.
        run_case("RunTargetWithoutPort", {"--target", "localhost"}, "--target: \"localhost\" is not HOST:PORT"),
        run_case("RunTargetPortTooLarge", {"--target", "127.0.0.1:70000"},
                 "--target: port \"70000\" is not a number in 1-65535"),
        run_case("RunPortsReversed", {"--target", target, "--ports", "3000-2000"}, "--ports: \"3000-2000\" is reversed"),
        run_case("RunPortsFromZero", {"--target", target, "--ports", "0-10"}, "--ports: \"0-10\" is not LO-HI"),
        run_case("RunMissingCaFile", {"--target", target, "--ca-file", "/nonexistent/ca.pem"},
                 "--ca-file: /nonexistent/ca.pem does not exist"),
        run_case("RunInsecureWithCaFile", {"--target", target, "--insecure", "--ca-file", "/etc/hostname"},
                 "excludes"),
        run_case("RunCountWithDuration", {"--target", target, "--count", "5", "--duration", "3"}, "excludes"),
        run_case("RunTlsVersion11", {"--target", target, "--tls-version", "1.1"}, "--tls-version"),
        run_case("RunUnknownGroup", {"--target", target, "--groups", "nonsense-group"}, "--groups: OpenSSL rejects"),
        run_case("RunUnknownOption", {"--target", target, "--bogus"}, "unknown option --bogus"),
        run_case("RunMissingPortsFile", {"--target", target, "--ports-file", "/nonexistent/ports"}, "--ports-file"),
        run_case("RunUnresolvableTarget", {"--target", "no-such-host.invalid:443"},
                 "--target: cannot resolve \"no-such-host.invalid\""),
        // Item 9: counts are bounded and never wrap.
        run_case("RunNegativeCount", {"--target", target, "--count", "-1"},
                 "--count: must be a whole number from 1 to 10000000, not -1"),
        run_case("RunHugeCount", {"--target", target, "--count", "10000001"},
                 "--count: must be a whole number from 1 to 10000000, not 10000001"),
        // Item 10: workers are bounded by the cores.
        run_case("RunTooManyWorkers", {"--target", target, "--workers", "100000"},
                 "(4 per core on this host), not 100000"),
        run_case("RunZeroWorkers", {"--target", target, "--workers", "0"}, "--workers: must be a whole number from 1"),
        // Item 15: seconds and rates state the rule, not a 300-digit bound.
        run_case("RunZeroDuration", {"--target", target, "--rate", "10", "--duration", "0"},
                 "--duration: must be greater than 0, not 0"),
        run_case("RunNegativeRate", {"--target", target, "--rate", "-1"}, "--rate: must be at least 0, not -1"),
        run_case("RunZeroHandshakeTimeout", {"--target", target, "--handshake-timeout", "0"},
                 "--handshake-timeout: must be greater than 0, not 0"),
        run_case("RunNotANumberHold", {"--target", target, "--hold", "soon"}, "--hold: \"soon\" is not a number"),
        // Item 17b: suites of one version contradicting --tls-version.
        run_case("RunTls13SuitesWithTls12", {"--target", target, "--ciphers", "TLS_AES_128_GCM_SHA256", "--tls-version",
                                             "1.2"},
                 "--ciphers names only TLS 1.3 suites, but --tls-version is 1.2"),
        run_case("RunTls12CiphersWithTls13", {"--target", target, "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256",
                                              "--tls-version", "1.3"},
                 "--ciphers names only TLS 1.2 suites, but --tls-version is 1.3"),

        // Item 14: the top level names what it did not understand.
        {.name = "TopLevelUnknownOption", .args = {"--bogus"}, .message = "unknown option --bogus", .one_line = true},
        {.name = "TopLevelUnknownCommand",
         .args = {"frobnicate"},
         .message = "unknown command frobnicate; commands are: run, serve, analyze, capture, flows, lab, buckets, hunt",
         .one_line = true},
        {.name = "TopLevelNoCommand", .args = {}, .message = "a command is required; commands are: run", .one_line = true},

        // Item 3: a source address that is not on this host is refused before the run.
        run_case("RunSourceNotOnThisHost", {"--target", target, "--source-ip", "198.18.0.1"},
                 "--source-ip: 198.18.0.1 is not an address of this host"),
        // Item 13: a source that is not an address is bad usage, not an unexpected failure.
        run_case("RunSourceNotAnAddress", {"--target", target, "--source-ip", "notanip"},
                 "--source-ip: \"notanip\" is not an IP address"),
        // Item 12: capture specs are checked before the run directory exists.
        run_case("RunCaptureWithoutEquals", {"--target", target, "--insecure", "--capture", "client"},
                 "--capture: \"client\" is not NAME=INTERFACE or NAME=COMMAND"),
        run_case("RunCaptureTwice", {"--target", target, "--insecure", "--capture", "client=lo", "--capture",
                                     "client=lo"},
                 "--capture: vantage \"client\" is given twice"),

        // Item 1: probes that the client capture does not hold are unknown, never ok: exit 4.
        {.name = "AnalyzeProbesWithoutFlowsAreUnknown",
         .args = {"analyze", "--client-pcap", "{dir}/cut.pcap", "--probes", "{dir}/probes.jsonl", "--out", "{dir}/out"},
         .exit_code = 4,
         .message = "40 of 40 connections have verdict unknown",
         .files = {{"cut.pcap", empty_pcap}, {"probes.jsonl", probe_lines(40, "ok")}}},
        // Item 18: a flows file its agent never finished (killed: no capture
        // summary) gives way to the vantage's pcap; here the pcap holds no
        // packet, so the probes are unknown, not ok.
        {.name = "AnalyzeRunDirReadsThePcapOfAKilledAgent",
         .args = {"analyze", "{dir}"},
         .exit_code = 4,
         .message = "client.flows.jsonl ends without the capture summary (its agent was stopped); reading",
         .files = {{"probes.jsonl", probe_lines(3, "ok")}, {"client.flows.jsonl", flow_line},
                   {"client.pcap", empty_pcap}}},
        // Item 4: a dead target is not healthy, repeats or not.
        {.name = "BucketsDeadTargetIsUnhealthy",
         .args = {"buckets", "{dir}"},
         .exit_code = 1,
         .message = "",
         .files = {{"probes.jsonl", probe_lines(20, "handshake_timeout")}}},
        {.name = "BucketsNothingOnTheWire",
         .args = {"buckets", "{dir}"},
         .exit_code = 4,
         .message = "",
         .files = {{"probes.jsonl", probe_lines(5, "local_error")}}},
        // Item 13: an output directory that cannot be made is the environment (3), not a crash.
        {.name = "BucketsOutCannotBeCreated",
         .args = {"buckets", "{dir}", "--out", "/proc/nope"},
         .exit_code = 3,
         .message = "cannot create /proc/nope",
         .files = {{"probes.jsonl", probe_lines(5, "ok")}}},
        // Item 19: a cut last line (a killed writer) leaves the complete lines usable.
        {.name = "BucketsProbesWithACutLastLine",
         .args = {"buckets", "{dir}"},
         .exit_code = 0,
         .message = "the last line is cut short",
         .files = {{"probes.jsonl", probe_lines(20, "ok") + R"({"probe_id":20,"attempt":1,"src_ip":"127.)"}}},

        // Existing checks of `buckets` and `hunt`.
        buckets_case("BucketsUnknownModel", {"{dir}", "--model", "md5:mod=8"}, "unknown model 'md5'"),
        buckets_case("BucketsBadSeed", {"{dir}", "--model", "jhash:seed=0xzz,mod=8"}, "parameter 'seed'"),
        buckets_case("BucketsZeroMod", {"{dir}", "--model", "jhash:seed=1,mod=0"}, "parameter 'mod'"),
        buckets_case("BucketsLossAboveOne", {"{dir}", "--background-loss", "2"}, "--background-loss"),
        buckets_case("BucketsNoRun", {"/nonexistent"}, "a run directory without probes"),
        {.name = "HuntUnknownModel",
         .args = {"hunt", "--target", target, "--budget", "10", "--model", "nosuch:mod=4", "--out", "{dir}/hunt"},
         .message = "unknown model 'nosuch'",
         .absent = {"hunt"}},

        // Existing checks of `serve`, and item 16: --cert-out fails before serving.
        {.name = "ServeListenOnAName",
         .args = {"serve", "--listen", "localhost:8443", "--duration", "1"},
         .message = "--listen: \"localhost\" is not an IP address"},
        {.name = "ServeCertWithoutKey", .args = {"serve", "--cert", "/etc/hostname", "--duration", "1"}, .message = "--key"},
        {.name = "ServeCertNotPem",
         .args = {"serve", "--cert", "/etc/hostname", "--key", "/etc/hostname", "--duration", "1"},
         .message = "--cert: /etc/hostname holds no PEM certificate"},
        {.name = "ServeCertOutInMissingDirectory",
         .args = {"serve", "--listen", "127.0.0.1:0", "--cert-out", "/nonexistent/dir/ca.pem", "--duration", "5"},
         .message = "--cert-out: cannot write /nonexistent/dir/ca.pem",
         .not_on_stdout = "listening"},
        {.name = "ServeZeroDuration",
         .args = {"serve", "--listen", "127.0.0.1:0", "--duration", "0"},
         .message = "--duration: must be greater than 0, not 0"},

        // Existing checks of `run --capture`.
        {.name = "RunCaptureUnknownInterface",
         .args = {"run", "--target", "127.0.0.1:9", "--insecure", "--capture", "client=no-such-if0", "--out", "{dir}/a"},
         .message = "--capture client=no-such-if0: no such interface here"},
        {.name = "RunCaptureAgentNeverReady",
         .args = {"run", "--target", "127.0.0.1:9", "--insecure", "--capture", "server=/bin/false agent", "--out",
                  "{dir}/b"},
         .exit_code = 3,
         .message = "--capture server: \"/bin/false agent\" exited before it was ready"},
        {.name = "RunCaptureBadVantageName",
         .args = {"run", "--target", "127.0.0.1:9", "--insecure", "--capture", "Client!=lo", "--out", "{dir}/c"},
         .message = "--capture"},

        // Item 16: the capture agent checks its user before it opens anything or says it is ready.
        {.name = "CaptureUnknownUser",
         .args = {"capture", "--iface", "lo", "--user", "nosuchuser", "--duration", "5", "--pcap", "{dir}/c.pcap"},
         .message = "no user nosuchuser",
         .absent = {"c.pcap"},
         .not_on_stdout = "capture_ready"},
        {.name = "CapturePortZero", .args = {"capture", "--iface", "lo", "--port", "0"}, .message = "--port"},

        // Item 17d: flows rejects port 0.
        {.name = "FlowsPortZero", .args = {"flows", "/etc/hostname", "--port", "0"}, .message = "--port: must be a whole number from 1 to 65535"},
        {.name = "FlowsMissingFile", .args = {"flows", "/nonexistent/x.pcap"}, .message = "/nonexistent/x.pcap: no such file"},
        {.name = "FlowsNotACaptureOnAFile",
         .args = {"flows", "{dir}/notes.pcap", "--out", "{dir}/flows.jsonl"},
         .message = "{dir}/notes.pcap: not a pcap or pcapng capture",
         .files = {{"notes.pcap", "these are not packets\n"}},
         .absent = {"flows.jsonl"}},

        // Existing checks of `analyze`.
        {.name = "AnalyzeMissingPcap",
         .args = {"analyze", "--client-pcap", "/nonexistent/client.pcap"},
         .message = "--client-pcap: /nonexistent/client.pcap does not exist"},
        {.name = "AnalyzeNotACapture",
         .args = {"analyze", "--client-pcap", "{dir}/notes.pcap", "--out", "{dir}/out"},
         .message = "{dir}/notes.pcap",
         .files = {{"notes.pcap", "these are not packets\n"}}},
        {.name = "AnalyzeProbesOfAnotherRun",
         .args = {"analyze", "--client-flows", "{dir}/client.flows.jsonl", "--probes", "{dir}/probes.jsonl", "--out",
                  "{dir}/out"},
         .message = "holds none of the 1 probes",
         .files = {{"client.flows.jsonl", flow_line},
                   {"probes.jsonl", R"({"probe_id":0,"attempt":1,"src_ip":"127.0.0.1","src_port":20000,"dst_ip":"127.0.0.1",)"
                                    R"("dst_port":8443,"outcome":"ok","client_random":"aa"})"
                                    "\n"}}},
        // Issue 12: scenario files name the file, line, column and key; nothing is created.
        {.name = "ScenarioNotToml",
         .args = {"run", "--scenario", "{dir}/s.toml", "--out", "{dir}/run"},
         .message = "{dir}/s.toml:2:12: not TOML",
         .files = {{"s.toml", "[probe]\ntarget = 198.18.0.1:443\n"}},
         .absent = {"run"},
         .one_line = true},
        {.name = "ScenarioUnknownKey",
         .args = {"scenario", "check", "{dir}/s.toml"},
         .message = "{dir}/s.toml:3:1: unknown key \"probe.handshake_timout\" (did you mean "
                    "\"probe.handshake_timeout\"?)",
         .files = {{"s.toml", "[probe]\ntarget = \"198.18.0.1:443\"\nhandshake_timout = 2.0\n"}},
         .one_line = true},
        {.name = "ScenarioWrongType",
         .args = {"hunt", "--scenario", "{dir}/s.toml", "--out", "{dir}/run"},
         .message = "{dir}/s.toml:4:10: key \"hunt.budget\": expects a whole number, not a string",
         .files = {{"s.toml", "[probe]\ntarget = \"198.18.0.1:443\"\n[hunt]\nbudget = \"lots\"\n"}},
         .absent = {"run"},
         .one_line = true},
        {.name = "ScenarioOutOfRange",
         .args = {"scenario", "show", "{dir}/s.toml"},
         .message = "{dir}/s.toml:4:20: key \"thresholds.max_failure_rate\": must be in [0, 1)",
         .files = {{"s.toml", "[probe]\ntarget = \"198.18.0.1:443\"\n[thresholds]\nmax_failure_rate = 1.5\n"}},
         .one_line = true},
        {.name = "ScenarioConflictingKeys",
         .args = {"scenario", "check", "{dir}/s.toml"},
         .message = "{dir}/s.toml:4:14: conflicting keys \"probe.ports\" and \"probe.ports_file\"",
         .files = {{"s.toml", "[probe]\ntarget = \"198.18.0.1:443\"\nports = \"1-2\"\nports_file = \"p\"\n"}},
         .one_line = true},
        {.name = "ScenarioMissingTarget",
         .args = {"scenario", "check", "{dir}/s.toml"},
         .message = "{dir}/s.toml: missing required key \"probe.target\"",
         .files = {{"s.toml", "[probe]\nrate = 5.0\n"}},
         .one_line = true},
        {.name = "ScenarioBadModel",
         .args = {"scenario", "check", "{dir}/s.toml"},
         .message = "{dir}/s.toml:4:9: key \"buckets.model\": hash model 'nosuch'",
         .files = {{"s.toml", "[probe]\ntarget = \"198.18.0.1:443\"\n[buckets]\nmodel = \"nosuch\"\n"}},
         .one_line = true},
        {.name = "ScenarioMissingFile",
         .args = {"scenario", "check", "{dir}/none.toml"},
         .message = "{dir}/none.toml: cannot read the scenario file",
         .one_line = true},
        {.name = "ScenarioFlagOverrideOutOfRange",
         .args = {"run", "--scenario", "{dir}/s.toml", "--concurrency", "0", "--out", "{dir}/run"},
         .message = "--concurrency: must be a whole number from 1 to 1000000, not 0",
         .files = {{"s.toml", "[probe]\ntarget = \"198.18.0.1:443\"\n"}},
         .absent = {"run"},
         .one_line = true},
        // `report`: a directory that is not a finished run is named, and no report.html is left.
        {.name = "ReportNoDirectory",
         .args = {"report", "{dir}/none"},
         .message = "RUN_DIR: {dir}/none is not a directory",
         .one_line = true},
        {.name = "ReportNoSummary",
         .args = {"report", "{dir}"},
         .message = "{dir}/summary.json: missing",
         .files = {{"probes.jsonl", one_probe_line()}},
         .absent = {"report.html"},
         .one_line = true},
        {.name = "ReportSummaryNotJson",
         .args = {"report", "{dir}"},
         .message = "{dir}/summary.json: not JSON",
         .files = {{"probes.jsonl", one_probe_line()}, {"summary.json", "{\"plan\":"}},
         .absent = {"report.html"},
         .one_line = true},
        {.name = "ReportSummaryWithoutOutcomes",
         .args = {"report", "{dir}"},
         .message = "{dir}/summary.json: has no \"outcomes\" object",
         .files = {{"probes.jsonl", one_probe_line()}, {"summary.json", "{\"plan\":{},\"target\":\"127.0.0.1:443\"}"}},
         .absent = {"report.html"},
         .one_line = true},
        {.name = "ReportBadProbeLine",
         .args = {"report", "{dir}"},
         .message = "{dir}/probes.jsonl:2:",
         .files = {{"probes.jsonl", one_probe_line() + "{\"probe_id\":\"x\"}\n"},
                   {"summary.json", "{\"plan\":{},\"outcomes\":{\"ok\":2}}"}},
         .absent = {"report.html"},
         .one_line = true},
        {.name = "ReportOutIsADirectory",
         .args = {"report", "{dir}", "-o", "{dir}"},
         .message = "-o: {dir} is a directory",
         .files = {{"probes.jsonl", one_probe_line()}, {"summary.json", "{\"plan\":{},\"outcomes\":{\"ok\":1}}"}},
         .absent = {"report.html"},
         .one_line = true},
        {.name = "ReportOutUnwritable",
         .args = {"report", "{dir}", "-o", "/proc/nope/report.html"},
         .exit_code = 3,
         .message = "/proc/nope/report.html",
         .files = {{"probes.jsonl", one_probe_line()}, {"summary.json", "{\"plan\":{},\"outcomes\":{\"ok\":1}}"}},
         .absent = {"report.html"},
         .one_line = true},
        {.name = "AnalyzeBadFlowLine",
         .args = {"analyze", "--client-flows", "{dir}/client.flows.jsonl", "--out", "{dir}/out"},
         .message = "{dir}/client.flows.jsonl:2:",
         .files = {{"client.flows.jsonl", flow_line + "{\"type\":\"flow\",\"flow_id\":\"two\"}\n"}}},
        {.name = "AnalyzeFlowLineWithATextTtl",
         .args = {"analyze", "--client-flows", "{dir}/client.flows.jsonl", "--out", "{dir}/out"},
         .message = "{dir}/client.flows.jsonl:1: flow field \"ttls\" is not a number in range",
         .files = {{"client.flows.jsonl", std::regex_replace(flow_line, std::regex(R"("ttls":\[64\])"), R"("ttls":["x"])")}}},
    };
}

class BadInput : public ::testing::TestWithParam<Case> {};

TEST_P(BadInput, ExitsWithItsCodeAndNamesTheProblem)
{
    const Case& c = GetParam();
    TempDir scratch;
    const std::string dir = scratch.path().string();
    for (const auto& [name, content] : c.files) {
        std::ofstream(scratch.path() / name, std::ios::binary) << content;
    }
    std::vector<std::string> argv{tlsprobe_binary()};
    for (const auto& arg : c.args) {
        argv.push_back(with_dir(arg, dir));
    }
    const auto result = run_command(argv, std::chrono::seconds(60));
    // 128 + a signal number: the binary crashed or was killed.
    EXPECT_LT(result.exit_code, 128) << result.err;
    EXPECT_GE(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.exit_code, c.exit_code) << result.err;
    EXPECT_NE(result.err.find(with_dir(c.message, dir)), std::string::npos) << result.err;
    if (c.one_line) {
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    }
    if (!c.not_on_stdout.empty()) {
        EXPECT_EQ(result.out.find(c.not_on_stdout), std::string::npos) << result.out;
    }
    for (const auto& path : c.absent) {
        EXPECT_FALSE(std::filesystem::exists(scratch.path() / path)) << path;
    }
}

INSTANTIATE_TEST_SUITE_P(Table, BadInput, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& param) { return param.param.name; });

}  // namespace
}  // namespace tlsprobe::testing
