#pragma once
// Which client-side flow each probe is.
#include <cstddef>
#include <span>
#include <vector>

#include "prober/probe_record.hpp"
#include "results/flow_evidence.hpp"
#include "results/input_files.hpp"

namespace tlsprobe::results {

struct ProbeMatch {
    std::vector<const FlowEvidence*> flow_of_probe;   // per probe, in probe order; null: no flow
    std::size_t flows_without_probe = 0;
};

// The ClientHello random first (exact), then the 4-tuple, taking the
// tuple's flows in time order for re-probes. The result points into `client`.
[[nodiscard]] ProbeMatch match_probes(std::span<const prober::ProbeRecord> probes, const VantageFlows& client);

}  // namespace tlsprobe::results
