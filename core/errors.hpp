#pragma once
// The failures that end a command, one type per documented exit code.
// main() catches them in a fixed order (see cli/main.cpp).
#include <stdexcept>
#include <string>

namespace tlsprobe::core {

// Wrong or conflicting flags, values out of range: exit 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A file, packet stream or scenario that cannot be read as what it claims to be: exit 2.
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The machine refused what the tool needs (permissions, ports, fd limit): exit 3.
class EnvironmentError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Exit codes of DESIGN.md.
enum class ExitCode : int {
    healthy = 0,
    unhealthy = 1,
    bad_input = 2,
    environment = 3,
    interrupted = 130,
};

}  // namespace tlsprobe::core
