#pragma once
// The tuple that matters for hash buckets is the one the hashing device saw
// (DESIGN.md, "Hash buckets" 4): behind a NAT or a TCP-terminating proxy that
// is the server-side tuple, not the prober's.
#include <filesystem>
#include <vector>

#include "prober/probe_record.hpp"

namespace tlsprobe::results {

// Re-addresses each probe whose connection the server capture saw under
// another tuple (verdicts.jsonl of `analyze` or `run --capture`) to that
// tuple, numbering attempts per tuple in probe order. Returns how many
// probes were re-addressed.
// Throws core::InputError naming the file and line of a malformed verdict.
std::size_t use_server_side_tuples(std::vector<prober::ProbeRecord>& records, const std::filesystem::path& verdicts_file);

}  // namespace tlsprobe::results
