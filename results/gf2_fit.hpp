#pragma once
// Without a hash model: CRC, XOR-fold and Toeplitz hashes are affine over
// GF(2) in the input bits, so the source ports that land in a set of buckets
// forming an affine subspace of bucket indices (one bucket, two, four...)
// form an affine subspace of the 16-bit port space. Fit it from the failing
// ports and check it against the passing ones (docs/BUCKETS.md).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace tlsprobe::results {

// origin + span(basis) over GF(2)^16, basis kept in reduced echelon form.
class AffinePortSpace {
public:
    explicit AffinePortSpace(std::uint16_t origin) : origin_(origin) {}

    // Grows the space to contain `port`; true when it was not already inside.
    bool add(std::uint16_t port);
    [[nodiscard]] bool contains(std::uint16_t port) const;
    [[nodiscard]] unsigned dimension() const;
    [[nodiscard]] unsigned codimension() const { return 16U - dimension(); }
    [[nodiscard]] std::uint16_t origin() const { return origin_; }
    [[nodiscard]] std::vector<std::uint16_t> basis() const;

    // The space as parity equations: port is inside iff, for every
    // (mask, parity), popcount(port & mask) % 2 == parity. `codimension()` of them.
    struct Equation {
        std::uint16_t mask = 0;
        bool parity = false;
    };
    [[nodiscard]] std::vector<Equation> equations() const;

private:
    [[nodiscard]] std::uint16_t reduce(std::uint16_t vector) const;

    std::uint16_t origin_;
    std::array<std::uint16_t, 16> pivots_{};  // pivots_[b]: basis vector whose top bit is b, or 0
};

enum class FitOutcome {
    accepted,
    no_failures,           // nothing to fit
    includes_passing,      // the span of the failures contains a passing port
    not_significant,       // an unstructured labelling could fit as well (chance bound >= alpha)
    codimension_too_small, // the span is the whole port space: no bucket structure
    codimension_too_large, // finer than the largest bucket count considered
};

[[nodiscard]] std::string_view to_string(FitOutcome outcome);

struct FitConfig {
    // Accept only when the chance bound (see AffineFit::chance) is below this.
    double alpha = 1e-3;
    // Largest bucket count considered is 2^max_codimension.
    unsigned max_codimension = 12;
    // A failing port that is not in the fault's subspace (a tuple that lost
    // two tries to background loss) puts passing ports into the span: when
    // the full fit fails, every fit with one failing port left out is tried,
    // its chance bound multiplied by the number of ports that could be left out.
    bool allow_one_outlier = true;
};

struct AffineFit {
    FitOutcome outcome = FitOutcome::no_failures;
    std::optional<AffinePortSpace> space;  // the span of the failing ports, when there were any
    std::uint64_t failing = 0;             // distinct failing ports
    std::uint64_t redundant = 0;           // failing - (dimension + 1)
    std::uint64_t passing_inside = 0;      // passing ports inside the span
    unsigned probed_dimension = 0;         // dimension of the affine span of all probed ports
    // Bound on the chance that ports labelled independently of their bits fit
    // this well: C(failing, redundant) * 2^(-c * redundant) * (1 - 2^-c)^passing,
    // with c = probed_dimension - dimension (docs/BUCKETS.md).
    double chance = 1.0;
    double hash_space_share = 0.0;         // 2^-codimension: share of all ports predicted to fail
    std::optional<std::uint16_t> outlier;  // the failing port left out of an accepted fit

    [[nodiscard]] bool accepted() const { return outcome == FitOutcome::accepted; }
};

[[nodiscard]] AffineFit fit_affine_ports(std::span<const std::uint16_t> failing,
                                         std::span<const std::uint16_t> passing, const FitConfig& config);

struct LabelledPort {
    std::uint16_t port = 0;
    bool failed = false;
};

struct PredictionScore {
    std::uint64_t total = 0;
    std::uint64_t correct = 0;
    std::uint64_t false_failures = 0;  // predicted to fail, passed
    std::uint64_t missed_failures = 0; // predicted to pass, failed
    [[nodiscard]] double accuracy() const {
        return total == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(total);
    }
};

// Predicts "fails" for ports inside the space; scores against held-out labels.
[[nodiscard]] PredictionScore score_prediction(const AffinePortSpace& space, std::span<const LabelledPort> held_out);

}  // namespace tlsprobe::results
