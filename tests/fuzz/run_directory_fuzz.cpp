// libFuzzer target for the run directory readers behind `compare` and
// `report`: summary.json (runs::read_run_summary and the scenario it
// records), probes.jsonl read whole, verdicts.jsonl (counted, and the
// server-side tuples of the hashed probes) and buckets.json.
//
// Input: the files' texts separated by fuzz::part_separator (0x1e), in the
// order summary.json, probes.jsonl, verdicts.jsonl, buckets.json; a file
// the input does not reach is absent. They are written to a scratch
// directory, which is compared with itself (runs::compare_session, writing
// compare.json and compare.html beside them) and reported on
// (runs::write_run_report, report.html).
//
// A directory that is not a finished run, or not two runs that can be
// compared, is core::InputError or core::UsageError; anything else escapes
// and is reported as a crash.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/errors.hpp"
#include "fuzz_support.hpp"
#include "runs/compare_session.hpp"
#include "runs/report_session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace tlsprobe;
    static fuzz::ScratchDirectory dir;
    dir.clear();
    constexpr std::array<std::string_view, 4> names{"summary.json", "probes.jsonl", "verdicts.jsonl", "buckets.json"};
    const auto parts = fuzz::split_parts(fuzz::text_of(data, size), fuzz::part_separator, names.size());
    for (std::size_t i = 0; i < parts.size(); ++i) {
        dir.write(names[i], parts[i]);
    }

    try {
        (void)runs::compare_session({.before = dir.path(), .after = dir.path(), .out_dir = dir.path() / "compare"});
    } catch (const core::InputError&) {
    } catch (const core::UsageError&) {
    }
    try {
        (void)runs::write_run_report(dir.path(), dir.path() / "report.html");
    } catch (const core::InputError&) {
    } catch (const core::UsageError&) {
    }
    return 0;
}
