#pragma once
#include <functional>

#include "prober/probe_record.hpp"

namespace tlsprobe::prober {

// Where the fleet hands each finished probe's record. The fleet's worker
// threads call it concurrently, once per record, so it must be thread-safe
// (an O_APPEND JSON Lines writer is: one write(2) per line).
using ProbeSink = std::function<void(const ProbeRecord&)>;

}  // namespace tlsprobe::prober
