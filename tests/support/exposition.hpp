#pragma once
// Reading Prometheus' text exposition format (0.0.4) back in tests, strictly:
// what tlsprobe writes and node_exporter serves must parse line by line, so
// a torn file (cut mid-line, or missing its last newline) is told from a
// whole one.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tlsprobe::testing {

struct ExpositionSample {
    std::string name;                            // as written: tlsprobe_..._bucket, _sum, _count included
    std::map<std::string, std::string> labels;   // unescaped values
    double value = 0;
};

struct ExpositionFamily {
    std::string help;
    std::string type;   // "gauge", "counter", "histogram", ...
};

struct Exposition {
    std::map<std::string, ExpositionFamily> families;
    std::vector<ExpositionSample> samples;

    // The samples named `name` whose labels include all of `labels`.
    [[nodiscard]] std::vector<ExpositionSample> find(std::string_view name,
                                                     const std::map<std::string, std::string>& labels = {}) const;
    // The value of the one such sample; nothing when there is none or more than one.
    [[nodiscard]] std::optional<double> value(std::string_view name,
                                              const std::map<std::string, std::string>& labels = {}) const;
};

// Throws std::runtime_error naming the line on anything malformed: text not
// ending in a newline, a sample before its family's # TYPE, a HELP or TYPE
// given twice, bad label syntax or escapes, a value that is not a number.
[[nodiscard]] Exposition parse_exposition(std::string_view text);

}  // namespace tlsprobe::testing
