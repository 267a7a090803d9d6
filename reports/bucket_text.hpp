#pragma once
// The text `buckets` and `hunt` print: one table row per bucket (or per
// failing source port without a model), then the finding sentences.
#include <string>

#include "results/bucket_analysis.hpp"

namespace tlsprobe::reports {

[[nodiscard]] std::string bucket_report(const results::BucketAnalysis& analysis);

}  // namespace tlsprobe::reports
