#pragma once
// One capture vantage of a run: a local interface the run captures on
// itself, or the command of an agent that captures elsewhere (in another
// namespace, over ssh) and streams its timelines back.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tlsprobe::scenarios {

struct CaptureVantage {
    std::string name;                   // a-z, 0-9, _ and -: it names the vantage's files in the run directory
    std::string interface;              // capture on this local interface, or
    std::vector<std::string> command;   // start this agent, argv form; a word "{tlsprobe}" is this binary
};

// The word in an agent command that stands for the running tlsprobe binary.
inline constexpr std::string_view this_binary_word = "{tlsprobe}";

// `NAME=INTERFACE` or `NAME=COMMAND` as the command line gives it: one word
// without a `/` is an interface, anything else a command split at blanks.
// Throws core::UsageError (field `capture`) when there is no `=` or no spec.
[[nodiscard]] CaptureVantage parse_capture_flag(std::string_view text);

// Names valid and distinct, exactly one of interface and command each.
// Throws core::UsageError (field `capture`).
void validate(std::span<const CaptureVantage> captures);

}  // namespace tlsprobe::scenarios
