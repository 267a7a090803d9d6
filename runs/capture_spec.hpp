#pragma once
// `NAME=INTERFACE` or `NAME=COMMAND`: one capture vantage of a run, checked
// before anything is created or started.
#include <string>
#include <vector>

namespace tlsprobe::runs {

struct CaptureSpec {
    std::string vantage;   // a-z, 0-9, _ and -: it names files in the run directory
    std::string spec;      // a local interface, or the agent's command line
};

// Throws core::UsageError naming the spec: no `=`, a bad or repeated name,
// an empty spec, or one word that is neither an interface here nor a path.
[[nodiscard]] std::vector<CaptureSpec> parse_capture_specs(const std::vector<std::string>& specs);

}  // namespace tlsprobe::runs
