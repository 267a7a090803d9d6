#pragma once
#include <functional>

#include "prober/probe_record.hpp"

namespace tlsprobe::prober {

// Where the fleet hands each finished probe's record. The fleet's worker
// threads call it concurrently, once per record, so it must be thread-safe
// (core::JsonlWriter is).
using ProbeSink = std::function<void(const ProbeRecord&)>;

}  // namespace tlsprobe::prober
