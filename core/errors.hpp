#pragma once
// The failures that end a command, one type per documented exit code.
// main() catches them in a fixed order (see cli/main.cpp).
#include <stdexcept>
#include <string>
#include <string_view>

namespace tlsprobe::core {

// The base of every failure that ends a command. A failure about one
// setting names it by `field`, spelled as in summary.json and the scenario
// file ("target", "source_ip", "capture"), with `detail` the rest of the
// message (": is not HOST:PORT", " client=eth9: no such interface"). Other
// settings the message names are fields in backquotes (" needs a `rate`
// above 0"). The CLI prints each field as its flag (--source-ip), a scenario
// loader as its key: no library spells a flag.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
    Error(std::string field, const std::string& detail)
        : std::runtime_error(field + detail), field_(std::move(field)), detail_(detail)
    {
    }

    [[nodiscard]] const std::string& field() const { return field_; }    // empty: not about one setting
    [[nodiscard]] const std::string& detail() const { return detail_; }

private:
    std::string field_;
    std::string detail_;
};

// `text` with each backquoted name (`tls_version`) replaced by
// `spell(name)`: how the CLI shows fields as flags and a scenario loader as
// keys. An unpaired backquote and what follows it stay as they are.
template <typename Spell>
[[nodiscard]] std::string spell_fields(std::string_view text, Spell&& spell)
{
    std::string out;
    while (!text.empty()) {
        const auto open = text.find('`');
        const auto close = open == std::string_view::npos ? open : text.find('`', open + 1);
        if (close == std::string_view::npos) {
            break;
        }
        out += text.substr(0, open);
        out += spell(text.substr(open + 1, close - open - 1));
        text.remove_prefix(close + 1);
    }
    return out += text;
}

// Wrong or conflicting flags, values out of range: exit 2.
class UsageError : public Error {
public:
    using Error::Error;
};

// A file, packet stream or scenario that cannot be read as what it claims to be: exit 2.
class InputError : public Error {
public:
    using Error::Error;
};

// The machine refused what the tool needs (permissions, ports, fd limit): exit 3.
class EnvironmentError : public Error {
public:
    using Error::Error;
};

// Another process holds the lock of the same job (a canary of the same
// scenario): exit 5, so cron does not read it as "unhealthy".
class LockedError : public Error {
public:
    using Error::Error;
};

// The exit codes, as README.md's table lists them.
enum class ExitCode : int {
    healthy = 0,                 // success; healthy; compare unchanged or improved
    unhealthy = 1,               // the run worked and found the path unhealthy
    bad_input = 2,               // bad usage, a bad flag value or input file
    environment = 3,             // the machine failed the tool (permissions, bind, fd limit, an agent died)
    insufficient_evidence = 4,   // not enough evidence to judge (nothing sent, a vantage missing, unknown verdicts)
    locked = 5,                  // another canary of the same scenario holds the lock
    internal_error = 70,         // an unexpected failure: a bug (EX_SOFTWARE)
    interrupted = 130,           // SIGINT/SIGTERM; the records written so far are kept and valid
};

}  // namespace tlsprobe::core
