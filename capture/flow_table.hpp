#pragma once
// Turns TCP packets into one FlowTimeline per connection, with bounded memory:
// a cap on open flows (the least recently seen is evicted), idle eviction,
// and finished connections handed out after a short linger.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>

#include "capture/flow_timeline.hpp"
#include "capture/packet.hpp"

namespace tlsprobe::capture {

struct FlowTableConfig {
    // A flow with no packet for this long ends as `idle`.
    std::int64_t idle_timeout_ns = 60'000'000'000;
    // After FIN from both sides or a RST, late packets (retransmitted FIN, the
    // last ACK, a second RST) are still added for this long.
    std::int64_t linger_ns = 2'000'000'000;
    std::size_t max_flows = 262'144;
};

struct FlowTableCounters {
    std::uint64_t packets = 0;
    std::uint64_t flows_created = 0;
    std::array<std::uint64_t, flow_end_count> ended{};

    [[nodiscard]] std::uint64_t ended_by(FlowEnd end) const { return ended[static_cast<std::size_t>(end)]; }
};

struct FlowKey {
    // The two endpoints in a fixed order, so both directions find the flow.
    std::array<std::byte, 16> low_ip{};
    std::array<std::byte, 16> high_ip{};
    std::uint16_t low_port = 0;
    std::uint16_t high_port = 0;
    std::uint8_t version = 4;

    friend bool operator==(const FlowKey&, const FlowKey&) = default;
};

struct FlowKeyHash {
    [[nodiscard]] std::size_t operator()(const FlowKey& key) const;
};

[[nodiscard]] FlowKey flow_key(const TcpPacket& packet);

struct Flow;

class FlowTable {
public:
    // Receives each timeline once, when its flow ends.
    using Sink = std::function<void(const FlowTimeline&)>;

    FlowTable(FlowTableConfig config, Sink sink);
    FlowTable(const FlowTable&) = delete;
    FlowTable& operator=(const FlowTable&) = delete;
    ~FlowTable();

    void add(const TcpPacket& packet);
    // Ends lingering and idle flows as of `now_ns` (packet time offline,
    // the wall clock live when no packet comes).
    void expire(std::int64_t now_ns);
    // Ends every open flow.
    void flush(FlowEnd reason);

    [[nodiscard]] std::size_t size() const { return flows_.size(); }
    [[nodiscard]] const FlowTableCounters& counters() const { return counters_; }

private:
    Flow& create(const FlowKey& key, const TcpPacket& packet);
    void end(Flow& flow, FlowEnd reason);
    void touch(Flow& flow);
    void unlink(Flow& flow);

    FlowTableConfig config_;
    Sink sink_;
    std::unordered_map<FlowKey, std::unique_ptr<Flow>, FlowKeyHash> flows_;
    // Least recently seen at the tail.
    Flow* lru_head_ = nullptr;
    Flow* lru_tail_ = nullptr;
    // The flow of the previous packet.
    Flow* last_ = nullptr;
    struct Closing {
        FlowKey key;
        std::uint64_t id = 0;
        std::int64_t deadline_ns = 0;
    };
    std::deque<Closing> closing_;
    std::int64_t next_expiry_ns_ = 0;
    FlowTableCounters counters_;
};

}  // namespace tlsprobe::capture
