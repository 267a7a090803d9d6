#pragma once
// What `buckets` and `hunt` share: the --model and --background-loss flags,
// and writing buckets.json, the table and the findings.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "results/bucket_analysis.hpp"

namespace tlsprobe::cli {

struct BucketFlags {
    std::string model;
    double background = 0.01;
};

void add_bucket_flags(CLI::App& app, BucketFlags& flags);

// The parsed model (core::UsageError on a bad spec) and the analysis settings.
class BucketSettings {
public:
    explicit BucketSettings(const BucketFlags& flags);
    [[nodiscard]] const results::BucketAnalysisConfig& config() const { return config_; }
    [[nodiscard]] const results::HashModel* model() const { return model_.get(); }

private:
    std::unique_ptr<results::HashModel> model_;
    results::BucketAnalysisConfig config_;
};

// Analyses `records`, writes DIR/buckets.json, prints the table and the
// findings on stdout; returns the exit code (0 healthy, 1 otherwise).
[[nodiscard]] int write_bucket_outputs(std::span<const prober::ProbeRecord> records, const BucketSettings& settings,
                                       const std::filesystem::path& dir);

}  // namespace tlsprobe::cli
