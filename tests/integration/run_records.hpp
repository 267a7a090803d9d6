#pragma once
// Reading a run directory back in tests, through the same parser users get.
#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <vector>

#include "prober/probe_record.hpp"

namespace tlsprobe::testing {

inline std::vector<prober::ProbeRecord> read_probes(const std::filesystem::path& run_dir)
{
    std::ifstream in(run_dir / "probes.jsonl");
    std::vector<prober::ProbeRecord> records;
    std::string line;
    while (std::getline(in, line)) {
        records.push_back(prober::probe_record_from_json(boost::json::parse(line).as_object()));
    }
    return records;
}

inline boost::json::object read_summary(const std::filesystem::path& run_dir)
{
    std::ifstream in(run_dir / "summary.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return boost::json::parse(text).as_object();
}

}  // namespace tlsprobe::testing
