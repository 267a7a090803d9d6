// `tlsprobe flows` and `tlsprobe capture` on bad input: the documented exit
// code and a one-line message naming the file, filter or interface.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <string>

#include "background_process.hpp"
#include "child_process.hpp"
#include "root_guard.hpp"
#include "tests/unit/capture/wire_builder.hpp"

namespace tlsprobe::testing {
namespace {

namespace json = boost::json;
using capture::test::Bytes;

std::size_t line_count(const std::string& s)
{
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

// Two SYNs of two connections, 1 ms apart.
void write_two_syns(const std::filesystem::path& path)
{
    using namespace capture::test;
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
    for (unsigned i = 0; i < 2; ++i) {
        const Bytes frame = ethernet_frame(
            mac(2), mac(1), 0x0800,
            ipv4_packet(ipv4_address(198, 18, 0, 1), ipv4_address(198, 18, 0, 2),
                        tcp_segment({static_cast<std::uint16_t>(40000 + i), 443, 100, 0, capture::tcp_flag::syn, {}, {}})));
        pcap_pkthdr header{};
        header.ts.tv_sec = 1'700'000'000;
        header.ts.tv_usec = static_cast<suseconds_t>(1000 * i);
        header.caplen = static_cast<bpf_u_int32>(frame.size());
        header.len = header.caplen;
        pcap_dump(reinterpret_cast<u_char*>(dumper), &header, reinterpret_cast<const u_char*>(frame.data()));
    }
    pcap_dump_close(dumper);
    pcap_close(dead);
}

TEST(FlowsCommand, MissingFileIsBadInput)
{
    TempDir temp;
    const std::filesystem::path dir = temp.path();
    const auto f = run_command({TLSPROBE_BINARY, "flows", (dir / "nope.pcap").string()});
    EXPECT_EQ(f.exit_code, 2);
    EXPECT_EQ(line_count(f.err), 1U) << f.err;
    EXPECT_NE(f.err.find("nope.pcap: no such file"), std::string::npos) << f.err;
    EXPECT_TRUE(f.out.empty());
}

TEST(FlowsCommand, NotACaptureIsBadInput)
{
    TempDir temp;
    const std::filesystem::path dir = temp.path();
    std::ofstream(dir / "notes.txt") << "hello\n";
    const auto f = run_command({TLSPROBE_BINARY, "flows", (dir / "notes.txt").string()});
    EXPECT_EQ(f.exit_code, 2);
    EXPECT_EQ(line_count(f.err), 1U) << f.err;
    EXPECT_NE(f.err.find("notes.txt: not a pcap or pcapng capture"), std::string::npos) << f.err;
}

TEST(FlowsCommand, InvalidFilterIsBadInput)
{
    TempDir temp;
    const std::filesystem::path dir = temp.path();
    write_two_syns(dir / "a.pcap");
    const auto f = run_command({TLSPROBE_BINARY, "flows", (dir / "a.pcap").string(), "--filter", "tcp port banana"});
    EXPECT_EQ(f.exit_code, 2);
    EXPECT_EQ(line_count(f.err), 1U) << f.err;
    EXPECT_NE(f.err.find("invalid BPF filter 'tcp port banana'"), std::string::npos) << f.err;
}

TEST(FlowsCommand, TruncatedFileKeepsCompleteTimelinesAndExits2)
{
    TempDir temp;
    const std::filesystem::path dir = temp.path();
    write_two_syns(dir / "a.pcap");
    std::filesystem::resize_file(dir / "a.pcap", std::filesystem::file_size(dir / "a.pcap") - 10);
    const auto f = run_command({TLSPROBE_BINARY, "-q", "flows", (dir / "a.pcap").string()});
    EXPECT_EQ(f.exit_code, 2);
    EXPECT_EQ(line_count(f.err), 1U) << f.err;
    EXPECT_NE(f.err.find("a.pcap: capture file is damaged or truncated"), std::string::npos) << f.err;
    // The first connection's timeline and the summary, which names the problem.
    ASSERT_EQ(line_count(f.out), 2U) << f.out;
    const auto flow = json::parse(f.out.substr(0, f.out.find('\n'))).as_object();
    EXPECT_EQ(flow.at("client_port").as_int64(), 40000);
    const auto summary = json::parse(f.out.substr(f.out.find('\n') + 1)).as_object();
    EXPECT_EQ(summary.at("type"), "capture_summary");
    EXPECT_TRUE(summary.at("input_error").is_string());
}

TEST(FlowsCommand, WritesTimelinesAndSummary)
{
    TempDir temp;
    const std::filesystem::path dir = temp.path();
    write_two_syns(dir / "a.pcap");
    const auto f = run_command({TLSPROBE_BINARY, "flows", (dir / "a.pcap").string(), "--vantage", "server", "--out",
                        (dir / "flows.jsonl").string()});
    ASSERT_EQ(f.exit_code, 0) << f.err;
    const auto lines = read_lines(dir / "flows.jsonl");
    ASSERT_EQ(lines.size(), 3U);
    const auto flow = json::parse(lines[0]).as_object();
    EXPECT_EQ(flow.at("vantage"), "server");
    EXPECT_EQ(flow.at("end"), "capture_end");
    EXPECT_EQ(flow.at("syn").at("t_ns").as_int64(), 1'700'000'000'000'000'000);
    EXPECT_EQ(json::parse(lines[2]).at("frames").as_int64(), 2);
}

TEST(CaptureCommand, UnknownInterfaceIsBadInput)
{
    TLSPROBE_REQUIRE_ROOT();
    const auto f = run_command({TLSPROBE_BINARY, "capture", "--iface", "tlsprobe-none0", "--duration", "1"});
    EXPECT_EQ(f.exit_code, 2);
    EXPECT_EQ(line_count(f.err), 1U) << f.err;
    EXPECT_NE(f.err.find("interface tlsprobe-none0 does not exist"), std::string::npos) << f.err;
}

TEST(CaptureCommand, InvalidFilterIsBadInput)
{
    TLSPROBE_REQUIRE_ROOT();
    const auto f = run_command({TLSPROBE_BINARY, "capture", "--iface", "lo", "--filter", "tcp port banana", "--duration", "1"});
    EXPECT_EQ(f.exit_code, 2);
    EXPECT_EQ(line_count(f.err), 1U) << f.err;
    EXPECT_NE(f.err.find("invalid BPF filter 'tcp port banana'"), std::string::npos) << f.err;
}

TEST(CaptureCommand, NoPermissionIsAnEnvironmentFailure)
{
    TLSPROBE_REQUIRE_ROOT();
    const auto f = run_command({"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all",
                        TLSPROBE_BINARY, "capture", "--iface", "lo", "--duration", "1"});
    EXPECT_EQ(f.exit_code, 3);
    EXPECT_EQ(line_count(f.err), 1U) << f.err;
    EXPECT_NE(f.err.find("no permission to capture on interface lo"), std::string::npos) << f.err;
}

TEST(CaptureCommand, DurationEndsWithKernelCountersAndDroppedRoot)
{
    TLSPROBE_REQUIRE_ROOT();
    TempDir temp;
    const std::filesystem::path dir = temp.path();
    const auto f = run_command({TLSPROBE_BINARY, "capture", "--iface", "lo", "--port", "9", "--duration", "0.3", "--vantage",
                        "server", "--out", (dir / "flows.jsonl").string(), "--pcap", (dir / "lo.pcap").string()});
    ASSERT_EQ(f.exit_code, 0) << f.err;
    EXPECT_NE(f.err.find("kernel received"), std::string::npos) << f.err;
    const auto lines = read_lines(dir / "flows.jsonl");
    ASSERT_FALSE(lines.empty());
    const auto summary = json::parse(lines.back()).as_object();
    EXPECT_EQ(summary.at("stop_reason"), "duration");
    EXPECT_TRUE(summary.at("kernel").is_object());
    EXPECT_EQ(summary.at("lossless"), true);
    EXPECT_EQ(summary.at("privileges"), "dropped to nobody (uid 65534)");
    // The pcap it wrote is a valid (empty) capture.
    const auto again = run_command({TLSPROBE_BINARY, "flows", (dir / "lo.pcap").string()});
    EXPECT_EQ(again.exit_code, 0) << again.err;
}

}  // namespace
}  // namespace tlsprobe::testing
