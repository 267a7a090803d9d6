#pragma once
// What `buckets` and `hunt` share: the --model and --background-loss flags,
// and printing the bucket report with its exit code.
#include <CLI/CLI.hpp>

#include <memory>
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

// Prints the table and the findings on stdout; returns the exit code.
[[nodiscard]] int print_bucket_report(const results::BucketAnalysis& analysis, bool interrupted);

}  // namespace tlsprobe::cli
