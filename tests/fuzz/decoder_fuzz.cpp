// libFuzzer target for everything that reads wire bytes: the frame decoder,
// the flow table with TCP reassembly, and the TLS record/hello parsers.
//
// Input: one byte choosing the link type, then frames, each a little-endian
// 16-bit length and that many bytes (a short last frame is used as is). The
// frames go through one FramePipeline in order, 1 ms apart, so sequences of
// packets (handshakes, retransmissions, resets) are explored too. The whole
// input is also fed to the TLS parsers directly.
#include <cstddef>
#include <cstdint>
#include <span>

#include "capture/frame_pipeline.hpp"
#include "capture/tls_hello.hpp"
#include "capture/tls_record_reader.hpp"

namespace {

using namespace tlsprobe::capture;

constexpr LinkType link_types[] = {LinkType::ethernet,   LinkType::linux_sll, LinkType::linux_sll2,
                                   LinkType::bsd_null,   LinkType::bsd_loop,  LinkType::raw_ip};

class IgnoreTls final : public TlsHandler {
public:
    void on_client_hello(ClientHello&&, std::uint64_t, std::uint64_t) override {}
    void on_server_hello(const ServerHello&, std::uint64_t, std::uint64_t) override {}
    void on_change_cipher_spec(std::uint64_t) override {}
    void on_alert(std::uint8_t, std::uint8_t, std::uint64_t) override {}
    void on_first_encrypted(std::uint64_t) override {}
    void on_not_tls() override {}
    void on_error(const TlsParseError&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // libFuzzer hands out bytes as uint8_t; std::byte may alias them.
    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
    if (input.empty()) {
        return 0;
    }
    const LinkType link = link_types[std::to_integer<std::size_t>(input[0]) % std::size(link_types)];

    FlowTableConfig config;
    config.max_flows = 8;
    config.idle_timeout_ns = 50'000'000;
    std::size_t timelines = 0;
    FramePipeline pipeline(link, config, [&](const FlowTimeline&) { ++timelines; });
    std::int64_t t_ns = 1'700'000'000'000'000'000;
    auto rest = input.subspan(1);
    while (rest.size() >= 2) {
        const std::size_t length = std::to_integer<std::size_t>(rest[0]) | (std::to_integer<std::size_t>(rest[1]) << 8U);
        rest = rest.subspan(2);
        const auto frame = rest.first(std::min(length, rest.size()));
        rest = rest.subspan(frame.size());
        // Claim a longer wire length now and then, as a snaplen cut would.
        const auto wire = static_cast<std::uint32_t>(length);
        pipeline.on_frame(t_ns, frame, wire);
        t_ns += 1'000'000;
    }
    pipeline.table().flush(FlowEnd::capture_end);

    (void)parse_client_hello(input);
    (void)parse_server_hello(input);
    TlsRecordReader stream;
    IgnoreTls ignore;
    stream.feed(input, ignore);
    return 0;
}
