#include "capture/flow_table.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "capture/flow_builder.hpp"
#include "capture/flow_state.hpp"

namespace tlsprobe::capture {
namespace {

// How often expiry runs, in packet time.
constexpr std::int64_t expiry_interval_ns = 100'000'000;

std::uint64_t load64(const std::byte* p)
{
    std::uint64_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6U) + (h >> 2U);
    return h * 0xff51afd7ed558ccdULL;
}

}  // namespace

std::size_t FlowKeyHash::operator()(const FlowKey& key) const
{
    std::uint64_t h = key.version;
    h = mix(h, load64(key.low_ip.data()));
    h = mix(h, load64(key.low_ip.data() + 8));
    h = mix(h, load64(key.high_ip.data()));
    h = mix(h, load64(key.high_ip.data() + 8));
    h = mix(h, (std::uint64_t{key.low_port} << 16U) | key.high_port);
    return static_cast<std::size_t>(h ^ (h >> 32U));
}

FlowKey flow_key(const TcpPacket& packet)
{
    FlowKey key;
    key.version = packet.src.version;
    const auto src = std::make_pair(packet.src.bytes, packet.src_port);
    const auto dst = std::make_pair(packet.dst.bytes, packet.dst_port);
    const bool src_low = src < dst;
    const auto& low = src_low ? src : dst;
    const auto& high = src_low ? dst : src;
    key.low_ip = low.first;
    key.low_port = low.second;
    key.high_ip = high.first;
    key.high_port = high.second;
    return key;
}

FlowTable::FlowTable(FlowTableConfig config, Sink sink) : config_(config), sink_(std::move(sink))
{
    flows_.reserve(std::min<std::size_t>(config_.max_flows, 65536));
}

FlowTable::~FlowTable() = default;

void FlowTable::unlink(Flow& flow)
{
    (flow.newer ? flow.newer->older : lru_head_) = flow.older;
    (flow.older ? flow.older->newer : lru_tail_) = flow.newer;
    flow.newer = nullptr;
    flow.older = nullptr;
}

void FlowTable::touch(Flow& flow)
{
    if (lru_head_ == &flow) {
        return;
    }
    if (flow.newer != nullptr || flow.older != nullptr || lru_tail_ == &flow) {
        unlink(flow);
    }
    flow.older = lru_head_;
    if (lru_head_ != nullptr) {
        lru_head_->newer = &flow;
    }
    lru_head_ = &flow;
    if (lru_tail_ == nullptr) {
        lru_tail_ = &flow;
    }
}

void FlowTable::end(Flow& flow, FlowEnd reason)
{
    finalize(flow, reason);
    ++counters_.ended[static_cast<std::size_t>(reason)];
    if (last_ == &flow) {
        last_ = nullptr;
    }
    unlink(flow);
    auto node = flows_.extract(flow.key);
    sink_(node.mapped()->timeline);
}

Flow& FlowTable::create(const FlowKey& key, const TcpPacket& p)
{
    if (flows_.size() >= config_.max_flows && lru_tail_ != nullptr) {
        end(*lru_tail_, FlowEnd::evicted);
    }
    auto flow = std::make_unique<Flow>();
    flow->key = key;
    FlowTimeline& t = flow->timeline;
    t.id = ++counters_.flows_created;
    t.first_ns = p.t_ns;
    start_timeline(t, p);
    Flow& ref = *flow;
    flows_.emplace(key, std::move(flow));
    touch(ref);
    return ref;
}

void FlowTable::add(const TcpPacket& p)
{
    ++counters_.packets;
    if (p.t_ns >= next_expiry_ns_) {
        expire(p.t_ns);
    }
    const FlowKey key = flow_key(p);
    // Packets of one connection tend to come in runs (a request, its ACK, the
    // response): remembering the last flow saves most hash lookups.
    Flow* flow = last_ != nullptr && last_->key == key ? last_ : nullptr;
    if (flow == nullptr) {
        auto it = flows_.find(key);
        flow = it == flows_.end() ? nullptr : it->second.get();
    }
    const bool fresh_syn = p.has(tcp_flag::syn) && !p.has(tcp_flag::ack);
    if (flow != nullptr && fresh_syn) {
        // The same 4-tuple again: a new connection unless this repeats the SYN we have.
        const auto& syn = flow->timeline.syn;
        const bool same = syn && syn->isn == p.seq && !flow->closed;
        if (!same && (syn || flow->closed)) {
            end(*flow, FlowEnd::port_reused);
            flow = nullptr;
        }
    }
    if (flow == nullptr) {
        flow = &create(key, p);
    } else {
        touch(*flow);
    }
    last_ = flow;

    if (add_packet(*flow, p) && !flow->closed) {
        flow->closed = true;
        closing_.push_back({key, flow->timeline.id, p.t_ns + config_.linger_ns});
    }
}

void FlowTable::expire(std::int64_t now_ns)
{
    next_expiry_ns_ = now_ns + expiry_interval_ns;
    while (!closing_.empty() && closing_.front().deadline_ns <= now_ns) {
        const Closing c = closing_.front();
        closing_.pop_front();
        auto it = flows_.find(c.key);
        if (it != flows_.end() && it->second->timeline.id == c.id) {
            const bool reset = it->second->timeline.rst_count > 0;
            end(*it->second, reset ? FlowEnd::reset : FlowEnd::closed);
        }
    }
    while (lru_tail_ != nullptr && lru_tail_->timeline.last_ns + config_.idle_timeout_ns <= now_ns) {
        end(*lru_tail_, FlowEnd::idle);
    }
}

void FlowTable::flush(FlowEnd reason)
{
    while (lru_tail_ != nullptr) {
        Flow& flow = *lru_tail_;
        if (flow.closed) {
            end(flow, flow.timeline.rst_count > 0 ? FlowEnd::reset : FlowEnd::closed);
        } else {
            end(flow, reason);
        }
    }
    closing_.clear();
}

}  // namespace tlsprobe::capture
