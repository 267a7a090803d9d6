#pragma once
#include <cstdint>
#include <vector>

#include "scenarios/run_plan.hpp"

namespace tlsprobe::prober {

// Which source port each probe binds, by probe index. The ports are walked
// in order (or in one seeded random permutation), one probe per port, and
// the walk starts over when the run has more probes than ports: the second
// pass re-probes the same 4-tuples, which is what tells a per-flow fault
// from random loss. A port listed more than once is a re-probe too: its
// attempts count on over the list and over the passes.
class PortPlan {
public:
    struct Assignment {
        std::uint16_t port = 0;
        std::uint32_t attempt = 1;   // 1 for the first probe of this port in the run, 2 for the next, ...
    };

    explicit PortPlan(const scenarios::RunPlan& plan);

    [[nodiscard]] Assignment at(std::uint64_t probe_index) const;
    [[nodiscard]] std::size_t size() const { return ports_.size(); }

private:
    std::vector<std::uint16_t> ports_;
    std::vector<std::uint32_t> earlier_;   // per position: how often its port appears before it in one pass
    std::vector<std::uint32_t> per_pass_;  // per position: how often its port appears in one pass
};

}  // namespace tlsprobe::prober
