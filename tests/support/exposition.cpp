#include "exposition.hpp"

#include <cerrno>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace tlsprobe::testing {
namespace {

[[noreturn]] void malformed(std::size_t line_number, const std::string& what, std::string_view line)
{
    throw std::runtime_error("exposition line " + std::to_string(line_number) + ": " + what + ": " +
                             std::string(line));
}

bool is_name_char(char c, bool first)
{
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    return letter || (!first && c >= '0' && c <= '9');
}

// The metric or label name at the front of `rest`, taken off it.
std::string take_name(std::string_view& rest)
{
    std::size_t n = 0;
    while (n < rest.size() && is_name_char(rest[n], n == 0)) {
        ++n;
    }
    std::string name(rest.substr(0, n));
    rest.remove_prefix(n);
    return name;
}

// The family a sample belongs to: a histogram's _bucket, _sum and _count
// samples belong to the histogram.
std::string family_of(const std::string& sample, const std::map<std::string, ExpositionFamily>& families)
{
    for (const std::string_view suffix : {"_bucket", "_sum", "_count"}) {
        if (sample.ends_with(suffix)) {
            const auto base = sample.substr(0, sample.size() - suffix.size());
            if (const auto it = families.find(base); it != families.end() && it->second.type == "histogram") {
                return base;
            }
        }
    }
    return sample;
}

double parse_value(std::string_view text, std::size_t line_number, std::string_view line)
{
    if (text == "+Inf") {
        return std::numeric_limits<double>::infinity();
    }
    if (text == "-Inf") {
        return -std::numeric_limits<double>::infinity();
    }
    const std::string copy(text);
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(copy.c_str(), &end);
    if (copy.empty() || end != copy.c_str() + copy.size() || errno == ERANGE) {
        malformed(line_number, "not a number \"" + copy + "\"", line);
    }
    return value;
}

}  // namespace

std::vector<ExpositionSample> Exposition::find(std::string_view name,
                                               const std::map<std::string, std::string>& labels) const
{
    std::vector<ExpositionSample> found;
    for (const auto& sample : samples) {
        if (sample.name != name) {
            continue;
        }
        bool all = true;
        for (const auto& [label, value] : labels) {
            const auto it = sample.labels.find(label);
            all = all && it != sample.labels.end() && it->second == value;
        }
        if (all) {
            found.push_back(sample);
        }
    }
    return found;
}

std::optional<double> Exposition::value(std::string_view name, const std::map<std::string, std::string>& labels) const
{
    const auto found = find(name, labels);
    if (found.size() != 1) {
        return std::nullopt;
    }
    return found.front().value;
}

Exposition parse_exposition(std::string_view text)
{
    Exposition exposition;
    if (!text.empty() && !text.ends_with('\n')) {
        malformed(0, "the text does not end with a newline", text.substr(text.rfind('\n') + 1));
    }
    std::size_t line_number = 0;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        const auto line = text.substr(0, newline);
        text.remove_prefix(newline + 1);
        ++line_number;
        if (line.empty()) {
            continue;
        }
        if (line.starts_with('#')) {
            auto rest = line.substr(1);
            const bool help = rest.starts_with(" HELP ");
            const bool type = rest.starts_with(" TYPE ");
            if (!help && !type) {
                continue;   // a comment
            }
            rest.remove_prefix(6);
            const auto name = take_name(rest);
            if (name.empty() || !rest.starts_with(' ')) {
                malformed(line_number, "no metric name", line);
            }
            rest.remove_prefix(1);
            auto& family = exposition.families[name];
            auto& field = help ? family.help : family.type;
            if (!field.empty()) {
                malformed(line_number, std::string(help ? "HELP" : "TYPE") + " given twice", line);
            }
            field = std::string(rest);
            if (type && field != "gauge" && field != "counter" && field != "histogram" && field != "summary" &&
                field != "untyped") {
                malformed(line_number, "unknown type", line);
            }
            continue;
        }
        auto rest = line;
        ExpositionSample sample;
        sample.name = take_name(rest);
        if (sample.name.empty()) {
            malformed(line_number, "no metric name", line);
        }
        const auto family = exposition.families.find(family_of(sample.name, exposition.families));
        if (family == exposition.families.end() || family->second.type.empty()) {
            malformed(line_number, "a sample before its family's TYPE", line);
        }
        if (rest.starts_with('{')) {
            rest.remove_prefix(1);
            while (!rest.starts_with('}')) {
                const auto label = take_name(rest);
                if (label.empty() || !rest.starts_with("=\"")) {
                    malformed(line_number, "bad label", line);
                }
                rest.remove_prefix(2);
                std::string value;
                for (;;) {
                    if (rest.empty()) {
                        malformed(line_number, "unterminated label value", line);
                    }
                    const char c = rest.front();
                    rest.remove_prefix(1);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        if (rest.empty()) {
                            malformed(line_number, "unterminated escape", line);
                        }
                        const char escaped = rest.front();
                        rest.remove_prefix(1);
                        if (escaped == 'n') {
                            value += '\n';
                        } else if (escaped == '\\' || escaped == '"') {
                            value += escaped;
                        } else {
                            malformed(line_number, "bad escape", line);
                        }
                        continue;
                    }
                    value += c;
                }
                if (!sample.labels.emplace(label, value).second) {
                    malformed(line_number, "label " + label + " given twice", line);
                }
                if (rest.starts_with(',')) {
                    rest.remove_prefix(1);
                } else if (!rest.starts_with('}')) {
                    malformed(line_number, "bad label list", line);
                }
            }
            rest.remove_prefix(1);
        }
        if (!rest.starts_with(' ')) {
            malformed(line_number, "no value", line);
        }
        rest.remove_prefix(1);
        // A timestamp may follow the value; textfiles must not carry one.
        if (rest.find(' ') != std::string_view::npos) {
            malformed(line_number, "a timestamp or trailing text", line);
        }
        sample.value = parse_value(rest, line_number, line);
        exposition.samples.push_back(std::move(sample));
    }
    return exposition;
}

}  // namespace tlsprobe::testing
