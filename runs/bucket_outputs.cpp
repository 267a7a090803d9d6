#include "runs/bucket_outputs.hpp"

#include <boost/json/serialize.hpp>

#include "core/atomic_file.hpp"
#include "runs/run_directory.hpp"

namespace tlsprobe::runs {

results::BucketAnalysis write_bucket_analysis(std::span<const prober::ProbeRecord> records,
                                              const results::BucketAnalysisConfig& config,
                                              const std::filesystem::path& dir)
{
    auto analysis = results::analyze_buckets(records, config);
    const auto out = make_run_directory(dir.string(), "");
    core::write_file_atomically(out / "buckets.json",
                                boost::json::serialize(results::bucket_analysis_json(analysis, config)) + "\n");
    return analysis;
}

}  // namespace tlsprobe::runs
