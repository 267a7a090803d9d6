// Test helper for the kill -9 test: rewrites DIR/tlsprobe_canary.prom with
// write_metrics_file forever, versions FIRST, FIRST+1, ... (the version is in
// the run's start time), and says "wrote FIRST" on stdout once the first
// version is in place.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "canary_metrics_sample.hpp"
#include "reports/metrics_file.hpp"

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: metrics_writer_loop DIR FIRST_VERSION\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const auto first = std::stoull(argv[2]);
    for (auto version = first;; ++version) {
        tlsprobe::reports::write_metrics_file(dir, tlsprobe::testing::sample_canary_metrics(version));
        if (version == first) {
            std::printf("wrote %llu\n", static_cast<unsigned long long>(version));
            std::fflush(stdout);
        }
    }
}
