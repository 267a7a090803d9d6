#pragma once
// What the flow table keeps per open connection: the timeline being built
// and, per direction, the state of the parsers that build it.
#include <array>
#include <cstdint>
#include <vector>

#include "capture/flow_table.hpp"
#include "capture/flow_timeline.hpp"
#include "capture/reassembler.hpp"
#include "capture/sequence.hpp"
#include "capture/tls_record_reader.hpp"

namespace tlsprobe::capture {

// A data segment as first seen, kept while this direction's TLS is parsed,
// to date the records (the packet carrying a record's first byte) and find
// retransmissions of the hello.
struct SeenSegment {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    std::int64_t t_ns = 0;
    bool retransmission = false;
};

[[nodiscard]] inline bool overlaps(const SeenSegment& s, std::uint64_t begin, std::uint64_t end)
{
    return s.offset < end && begin < std::uint64_t{s.offset} + s.length;
}

struct DirectionState {
    bool base_known = false;
    // Sequence number before the first payload byte (the ISN when the SYN was seen).
    std::uint32_t base = 0;
    bool fin = false;
    SequenceTracker sequence;
    Reassembler reassembler;
    TlsRecordReader tls;
    std::vector<SeenSegment> segments;
};

struct Flow {
    FlowKey key;
    FlowTimeline timeline;
    std::array<DirectionState, 2> sides;
    bool closed = false;
    // A hello showed the guessed direction (no SYN seen) was backwards.
    bool reverse_direction = false;
    Flow* newer = nullptr;
    Flow* older = nullptr;

    DirectionState& state(Side side) { return sides[static_cast<std::size_t>(side)]; }
};

}  // namespace tlsprobe::capture
