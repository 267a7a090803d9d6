// libFuzzer target for every JSON Lines reader: the input is one file's
// text, read as probes.jsonl (results::read_probes_file, through
// core::read_jsonl and prober::probe_record_from_json), as a vantage's
// flows.jsonl (results::read_flows_file) and as verdicts.jsonl
// (results::read_verdict_counts).
//
// A line that is not what the reader expects is core::InputError; anything
// else escapes and is reported as a crash. What must hold, or the target
// aborts: every probe read, written back by prober::to_json, reads back to
// the same JSON.
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/errors.hpp"
#include "fuzz_support.hpp"
#include "prober/probe_record.hpp"
#include "results/input_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace tlsprobe;
    static fuzz::MemoryFile file;
    file.write(fuzz::text_of(data, size));

    try {
        for (const auto& probe : results::read_probes_file(file.path())) {
            const auto written = prober::to_json(probe);
            try {
                if (prober::to_json(prober::probe_record_from_json(written)) != written) {
                    std::abort();
                }
            } catch (const core::InputError&) {
                // prober::to_json wrote a record its own reader refuses.
                std::abort();
            }
        }
    } catch (const core::InputError&) {
    }
    try {
        (void)results::read_flows_file(file.path(), "client");
    } catch (const core::InputError&) {
    }
    try {
        (void)results::read_verdict_counts(file.path());
    } catch (const core::InputError&) {
    }
    return 0;
}
