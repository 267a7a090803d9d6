// libFuzzer target for the scenario loader: the input is a scenario file's
// TOML text, written to a scratch directory (so relative `ports_file` and
// `ca_file` paths resolve beside it) and loaded with scenarios::load_scenario
// without flag overrides.
//
// A file's mistakes are core::InputError or core::UsageError; anything else
// escapes and is reported as a crash. What must hold, or the target aborts:
// a scenario that loads, written back by scenario_toml, loads again to the
// same text (the writer's promise that its TOML loads back to the same
// scenario).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/errors.hpp"
#include "fuzz_support.hpp"
#include "scenarios/scenario_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace tlsprobe;
    static fuzz::ScratchDirectory dir;
    dir.clear();
    const auto file = dir.write("fuzz.toml", fuzz::text_of(data, size));

    std::string written;
    try {
        written = scenarios::scenario_toml(scenarios::load_scenario(file, {}).scenario, true);
    } catch (const core::InputError&) {
        return 0;
    } catch (const core::UsageError&) {
        return 0;
    }
    const auto again = dir.write("again.toml", written);
    try {
        if (scenarios::scenario_toml(scenarios::load_scenario(again, {}).scenario, true) != written) {
            std::abort();
        }
    } catch (const core::Error&) {
        // scenario_toml wrote a file its own loader refuses.
        std::abort();
    }
    return 0;
}
