// libFuzzer target for the ports file reader (`ports_file` in a scenario,
// docs/SCENARIOS.md): the input is the file, read from an in-memory file by
// scenarios::read_ports_file.
//
// A line that is not a port is core::InputError naming the line; anything
// else escapes and is reported as a crash. What must hold, or the target
// aborts: the reader returns at least one port, each in 1-65535.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/errors.hpp"
#include "fuzz_support.hpp"
#include "scenarios/run_plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace tlsprobe;
    static fuzz::MemoryFile file;
    file.write(fuzz::text_of(data, size));
    try {
        const auto ports = scenarios::read_ports_file(file.path());
        if (ports.empty()) {
            std::abort();
        }
        for (const auto port : ports) {
            if (port == 0) {
                std::abort();
            }
        }
    } catch (const core::InputError&) {
    }
    return 0;
}
