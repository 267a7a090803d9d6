#include "results/gf2_fit.hpp"

#include "results/hash_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <functional>
#include <memory>
#include <random>
#include <vector>

namespace tlsprobe::results {
namespace {

struct Split {
    std::vector<std::uint16_t> failing;
    std::vector<std::uint16_t> passing;
    std::vector<LabelledPort> held_out;
};

// `training` distinct ports drawn with a fixed seed are labelled for the fit;
// every other port of 1024..65535 is held out.
Split label_ports(const std::function<bool(std::uint16_t)>& fails, std::size_t training, unsigned seed) {
    std::vector<std::uint16_t> ports;
    for (std::uint32_t p = 1024; p <= 0xffff; ++p) {
        ports.push_back(static_cast<std::uint16_t>(p));
    }
    std::mt19937 rng(seed);
    std::shuffle(ports.begin(), ports.end(), rng);
    Split split;
    for (std::size_t i = 0; i < ports.size(); ++i) {
        const bool failed = fails(ports[i]);
        if (i < training) {
            (failed ? split.failing : split.passing).push_back(ports[i]);
        } else {
            split.held_out.push_back({ports[i], failed});
        }
    }
    return split;
}

std::function<std::uint32_t(std::uint16_t)> port_hash(const char* spec) {
    std::shared_ptr<const HashModel> model = parse_hash_model(spec);
    return [model](std::uint16_t port) {
        const auto address = boost::asio::ip::make_address("198.18.0.1");
        return model->bucket({address, port, address, 443});
    };
}

// The lab's --hash-map style: CRC-16/ARC of the source port alone.
const auto crc16_bucket = port_hash("crc16:variant=arc,fields=sport,mod=64");

TEST(AffineFit, OneFailingPortOutsideTheBucketIsLeftOutAndNamed) {
    // A clean port that lost both tries to background loss among the
    // failures of bucket 17: the full span swallows passing ports, the fit
    // without that port is accepted and names it.
    auto split = label_ports([](std::uint16_t port) { return crc16_bucket(port) == 17; }, 1500, 7);
    const auto stray = split.passing.back();
    split.passing.pop_back();
    split.failing.insert(split.failing.begin() + 3, stray);
    const auto fit = fit_affine_ports(split.failing, split.passing, {});
    ASSERT_TRUE(fit.accepted()) << to_string(fit.outcome);
    ASSERT_TRUE(fit.outlier);
    EXPECT_EQ(*fit.outlier, stray);
    EXPECT_EQ(fit.space->codimension(), 6U);
    EXPECT_DOUBLE_EQ(score_prediction(*fit.space, split.held_out).accuracy(), 1.0);
    // Without the allowance the same labels are rejected.
    EXPECT_EQ(fit_affine_ports(split.failing, split.passing, {.allow_one_outlier = false}).outcome,
              FitOutcome::includes_passing);
}

TEST(AffineFit, TwoFailingPortsOutsideTheBucketAreNotFitted) {
    auto split = label_ports([](std::uint16_t port) { return crc16_bucket(port) == 17; }, 1500, 7);
    for (int i = 0; i < 2; ++i) {
        split.failing.push_back(split.passing.back());
        split.passing.pop_back();
    }
    const auto fit = fit_affine_ports(split.failing, split.passing, {});
    EXPECT_FALSE(fit.accepted());
    EXPECT_FALSE(fit.outlier);
}

TEST(AffineFit, Crc16BucketSeventeenOfSixtyFourIsFoundAndPredictsEveryHeldOutPort) {
    const auto split = label_ports([](std::uint16_t port) { return crc16_bucket(port) == 17; }, 1500, 7);
    ASSERT_GT(split.failing.size(), 11U);
    const auto fit = fit_affine_ports(split.failing, split.passing, {});
    ASSERT_TRUE(fit.accepted()) << to_string(fit.outcome) << " chance " << fit.chance;
    EXPECT_EQ(fit.space->codimension(), 6U);
    EXPECT_DOUBLE_EQ(fit.hash_space_share, 1.0 / 64.0);
    EXPECT_LT(fit.chance, 1e-3);
    const auto score = score_prediction(*fit.space, split.held_out);
    EXPECT_EQ(score.total, split.held_out.size());
    EXPECT_EQ(score.correct, score.total);
    EXPECT_DOUBLE_EQ(score.accuracy(), 1.0);
}

TEST(AffineFit, TwoCrcBucketsDifferingInOneBitFitAsOneSubspace) {
    // Buckets 3 and 11 of 16: indices 0b0011 and 0b1011 form an affine line.
    const auto split = label_ports(
        [](std::uint16_t port) {
            const auto b = crc16_bucket(port) % 16;
            return b == 3 || b == 11;
        },
        1000, 11);
    const auto fit = fit_affine_ports(split.failing, split.passing, {});
    ASSERT_TRUE(fit.accepted()) << to_string(fit.outcome);
    EXPECT_EQ(fit.space->codimension(), 3U);
    EXPECT_DOUBLE_EQ(score_prediction(*fit.space, split.held_out).accuracy(), 1.0);
}

TEST(AffineFit, ToeplitzAndXorBucketsFitToo) {
    for (const char* spec : {"toeplitz:fields=sport,mod=32", "xor:width=8,fields=sport,mod=32",
                             "crc32:variant=iscsi,fields=sport,mod=32"}) {
        const auto bucket = port_hash(spec);
        const auto split = label_ports([&bucket](std::uint16_t port) { return bucket(port) == 9; }, 1200, 13);
        const auto fit = fit_affine_ports(split.failing, split.passing, {});
        ASSERT_TRUE(fit.accepted()) << spec << " " << to_string(fit.outcome);
        EXPECT_DOUBLE_EQ(score_prediction(*fit.space, split.held_out).accuracy(), 1.0) << spec;
    }
}

TEST(AffineFit, EquationsDescribeTheSameSpace) {
    const auto split = label_ports([](std::uint16_t port) { return crc16_bucket(port) == 17; }, 1500, 7);
    const auto fit = fit_affine_ports(split.failing, split.passing, {});
    ASSERT_TRUE(fit.space);
    const auto equations = fit.space->equations();
    ASSERT_EQ(equations.size(), fit.space->codimension());
    for (std::uint32_t p = 0; p <= 0xffff; ++p) {
        const auto port = static_cast<std::uint16_t>(p);
        const bool satisfies = std::ranges::all_of(equations, [port](const auto& e) {
            return ((std::popcount(static_cast<std::uint16_t>(port & e.mask)) & 1) != 0) == e.parity;
        });
        ASSERT_EQ(satisfies, fit.space->contains(port)) << port;
    }
}

TEST(AffineFit, RandomLabelsAreRejected) {
    std::mt19937 rng(1);
    for (const double rate : {0.5, 0.05, 0.01}) {
        std::bernoulli_distribution coin(rate);
        std::vector<bool> labels(65536);
        for (std::size_t i = 0; i < labels.size(); ++i) {
            labels[i] = coin(rng);
        }
        const auto split = label_ports([&labels](std::uint16_t port) { return labels[port]; }, 1500, 3);
        const auto fit = fit_affine_ports(split.failing, split.passing, {});
        EXPECT_FALSE(fit.accepted()) << rate << " " << to_string(fit.outcome);
    }
}

TEST(AffineFit, AFewFailuresInATinySpanAreNotEnoughEvidence) {
    // Three failing ports span a plane that no passing port hits by chance.
    const std::vector<std::uint16_t> failing{40001, 40002, 40003};
    const std::vector<std::uint16_t> passing{40010, 40020, 40030, 40040};
    const auto fit = fit_affine_ports(failing, passing, {});
    EXPECT_EQ(fit.outcome, FitOutcome::not_significant);
    EXPECT_EQ(fit.redundant, 0U);
}

TEST(AffineFit, NonAffineFailuresIncludePassingPorts) {
    // Port mod 3 == 0 is not affine over GF(2).
    const auto split = label_ports([](std::uint16_t port) { return port % 3 == 0; }, 1500, 5);
    const auto fit = fit_affine_ports(split.failing, split.passing, {});
    EXPECT_FALSE(fit.accepted());
    EXPECT_GT(fit.passing_inside, 0U);
}

TEST(AffineFit, NoFailuresNothingToFit) {
    const std::vector<std::uint16_t> passing{1, 2, 3};
    const auto fit = fit_affine_ports({}, passing, {});
    EXPECT_EQ(fit.outcome, FitOutcome::no_failures);
    EXPECT_FALSE(fit.space);
}

}  // namespace
}  // namespace tlsprobe::results
