#include "capture/capture_file.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "core/hex.hpp"
#include "tests/unit/capture/conversation.hpp"
#include "tests/unit/capture/pcap_file.hpp"

namespace tlsprobe::capture {
namespace {

using namespace test;
namespace fs = std::filesystem;

class TempDir {
public:
    TempDir()
    {
        std::string pattern = (fs::temp_directory_path() / "tlsprobe-capture-test-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() { fs::remove_all(path_); }
    [[nodiscard]] fs::path operator/(std::string_view name) const { return path_ / name; }

private:
    fs::path path_;
};

// Frames of one complete TLS 1.3 handshake, then a second connection's SYN.
std::vector<Bytes> two_flows()
{
    std::vector<Bytes> frames;
    const auto frame = [&](const Peer& from, const Peer& to, std::uint32_t seq, std::uint32_t ack_no, std::uint8_t flags,
                           const Bytes& payload) {
        const Bytes options = (flags & tcp_flag::syn) != 0 ? syn_options(1, 0) : Bytes{};
        frames.push_back(ethernet_frame(to.mac, from.mac, 0x0800,
                                        ipv4_packet(from.ip, to.ip, tcp_segment({from.port, to.port, seq, ack_no, flags, options, payload}), from.ttl)));
    };
    const Peer c = default_client();
    const Peer s = default_server();
    const Bytes hello = client_hello_record([] {
        ClientHelloSpec spec;
        spec.random = random_of(0x21);
        return spec;
    }());
    frame(c, s, c.isn, 0, tcp_flag::syn, {});
    frame(s, c, s.isn, c.isn + 1, tcp_flag::syn | tcp_flag::ack, {});
    frame(c, s, c.isn + 1, s.isn + 1, tcp_flag::ack, {});
    frame(c, s, c.isn + 1, s.isn + 1, tcp_flag::ack | tcp_flag::psh, hello);
    const Bytes sh = server_hello_record(random_of(0x42));
    frame(s, c, s.isn + 1, c.isn + 1 + static_cast<std::uint32_t>(hello.size()), tcp_flag::ack | tcp_flag::psh, sh);
    Peer c2 = c;
    c2.port = 40009;
    frame(c2, s, 77, 0, tcp_flag::syn, {});
    return frames;
}

// The frames one millisecond apart from ms(0).
void write_pcap(const fs::path& path, const std::vector<Bytes>& frames, int dlt = DLT_EN10MB)
{
    std::vector<TimedFrame> timed;
    std::int64_t t = ms(0);
    for (const auto& f : frames) {
        timed.push_back({t, f});
        t += 1'000'000;
    }
    test::write_pcap(path, timed, dlt);
}

// pcapng as tcpdump -w on a recent system writes it: section header,
// interface description (nanosecond resolution), enhanced packet blocks,
// the first at `first_ns`.
void write_pcapng(const fs::path& path, const std::vector<Bytes>& frames,
                  std::uint64_t first_ns = static_cast<std::uint64_t>(ms(0)))
{
    Bytes file;
    const auto le32 = [](Bytes& b, std::uint32_t v) {
        for (int i = 0; i < 4; ++i) {
            b.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xffU));
        }
    };
    const auto le16 = [](Bytes& b, unsigned v) {
        b.push_back(static_cast<std::byte>(v & 0xffU));
        b.push_back(static_cast<std::byte>((v >> 8U) & 0xffU));
    };
    const auto block = [&](std::uint32_t type, const Bytes& body) {
        const auto length = static_cast<std::uint32_t>(12 + body.size());
        le32(file, type);
        le32(file, length);
        append(file, body);
        le32(file, length);
    };
    Bytes shb;
    le32(shb, 0x1a2b3c4d);
    le16(shb, 1);
    le16(shb, 0);
    le32(shb, 0xffffffff);
    le32(shb, 0xffffffff);
    block(0x0a0d0d0a, shb);
    Bytes idb;
    le16(idb, DLT_EN10MB);
    le16(idb, 0);
    le32(idb, 262144);
    le16(idb, 9);  // if_tsresol
    le16(idb, 1);
    append(idb, bytes_of({9, 0, 0, 0}));
    le32(idb, 0);  // opt_endofopt
    block(1, idb);
    std::uint64_t t = first_ns;
    for (const auto& f : frames) {
        Bytes epb;
        le32(epb, 0);
        le32(epb, static_cast<std::uint32_t>(t >> 32U));
        le32(epb, static_cast<std::uint32_t>(t & 0xffffffffU));
        le32(epb, static_cast<std::uint32_t>(f.size()));
        le32(epb, static_cast<std::uint32_t>(f.size()));
        append(epb, f);
        while (epb.size() % 4 != 0) {
            epb.push_back(std::byte{0});
        }
        block(6, epb);
        t += 1'000'000;
    }
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
}

struct Read {
    std::vector<FlowTimeline> flows;
    std::uint64_t frames = 0;
    CaptureSummary summary;
};

Read read(const fs::path& path, const std::string& filter = {})
{
    Read r;
    FileOptions options;
    options.path = path;
    options.filter = filter;
    r.summary = read_capture_file(
        options, [&](const FlowTimeline& t) { r.flows.push_back(t); },
        [&](const CaptureSummary&, const FramePipeline& p) { r.frames = p.frames(); });
    return r;
}

TEST(CaptureFile, PcapWithNanosecondTimestamps)
{
    TempDir dir;
    write_pcap(dir / "a.pcap", two_flows());
    const Read r = read(dir / "a.pcap");
    EXPECT_EQ(r.frames, 6U);
    EXPECT_FALSE(r.summary.input_error.has_value());
    ASSERT_EQ(r.flows.size(), 2U);
    const FlowTimeline& t = r.flows[0].client_port == 40001 ? r.flows[0] : r.flows[1];
    EXPECT_EQ(t.syn->first.t_ns, ms(0));
    ASSERT_TRUE(t.client_hello && t.server_hello);
    EXPECT_EQ(core::to_hex(t.client_hello->hello.random), random_hex(0x21));
    EXPECT_EQ(t.server_hello->t_ns, ms(4));
}

TEST(CaptureFile, Pcapng)
{
    TempDir dir;
    write_pcapng(dir / "a.pcapng", two_flows());
    const Read r = read(dir / "a.pcapng");
    EXPECT_EQ(r.frames, 6U);
    ASSERT_EQ(r.flows.size(), 2U);
    const FlowTimeline& t = r.flows[0].client_port == 40001 ? r.flows[0] : r.flows[1];
    ASSERT_TRUE(t.client_hello.has_value());
    EXPECT_EQ(t.client_hello->t_ns, ms(3));
}

TEST(CaptureFile, ATimestampPastTheYear2262IsAnInputError)
{
    TempDir dir;
    // 64-bit nanoseconds from pcapng: about 1.7e10 s, past what int64
    // nanoseconds since 1970 hold.
    write_pcapng(dir / "a.pcapng", two_flows(), 0xf000'0000'0000'0000U);
    const Read r = read(dir / "a.pcapng");
    ASSERT_TRUE(r.summary.input_error.has_value());
    EXPECT_NE(r.summary.input_error->find("timestamp"), std::string::npos) << *r.summary.input_error;
    EXPECT_NE(r.summary.input_error->find("out of range"), std::string::npos) << *r.summary.input_error;
    EXPECT_EQ(r.frames, 0U);
}

TEST(CaptureFile, FilterSelectsPackets)
{
    TempDir dir;
    write_pcap(dir / "a.pcap", two_flows());
    const Read r = read(dir / "a.pcap", "tcp port 40009");
    EXPECT_EQ(r.frames, 1U);
    ASSERT_EQ(r.flows.size(), 1U);
    EXPECT_EQ(r.flows[0].client_port, 40009);
}

TEST(CaptureFile, TruncatedFileKeepsTheCompleteTimelines)
{
    TempDir dir;
    write_pcap(dir / "a.pcap", two_flows());
    fs::resize_file(dir / "a.pcap", fs::file_size(dir / "a.pcap") - 20);  // inside the last frame
    const Read r = read(dir / "a.pcap");
    ASSERT_TRUE(r.summary.input_error.has_value());
    EXPECT_NE(r.summary.input_error->find("truncated"), std::string::npos) << *r.summary.input_error;
    EXPECT_EQ(r.frames, 5U);
    ASSERT_EQ(r.flows.size(), 1U);
    EXPECT_TRUE(r.flows[0].server_hello.has_value());
}

TEST(CaptureFile, BadInputNamesTheFileOrFilter)
{
    TempDir dir;
    const auto message = [&](const fs::path& path, const std::string& filter = {}) -> std::string {
        try {
            (void)read(path, filter);
        } catch (const core::InputError& e) {
            return e.what();
        }
        return "no error";
    };
    EXPECT_EQ(message(dir / "missing.pcap"), (dir / "missing.pcap").string() + ": no such file");
    std::ofstream(dir / "notes.txt") << "this is not a capture\n";
    EXPECT_NE(message(dir / "notes.txt").find("notes.txt: not a pcap or pcapng capture"), std::string::npos);
    write_pcap(dir / "a.pcap", two_flows());
    EXPECT_NE(message(dir / "a.pcap", "tcp port nonsense").find("invalid BPF filter 'tcp port nonsense'"),
              std::string::npos);
    write_pcap(dir / "wifi.pcap", {}, 105);
    EXPECT_NE(message(dir / "wifi.pcap").find("link type 105"), std::string::npos);
}

}  // namespace
}  // namespace tlsprobe::capture
