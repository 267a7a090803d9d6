#include "results/gf2_fit.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>
#include <unordered_set>

namespace tlsprobe::results {

namespace {

unsigned top_bit(std::uint16_t vector) {
    return static_cast<unsigned>(std::bit_width(vector)) - 1U;
}

bool dot(std::uint16_t a, std::uint16_t b) {
    return (std::popcount(static_cast<std::uint16_t>(a & b)) & 1) != 0;
}

// Ports i.i.d. uniform over the probed span (dimension w), labels independent
// of them. Taking the failing ports in order, one that falls inside the span
// of those before it (a "redundant" one) does so with probability at most
// 2^-c, c = w - final dimension; choosing which r of m are redundant gives
// C(m, r) 2^(-c r). Independently, each passing port avoids a span of
// relative codimension c with probability 1 - 2^-c.
double chance_bound(std::uint64_t failing, std::uint64_t redundant, unsigned relative_codimension,
                    std::uint64_t passing_outside) {
    if (relative_codimension == 0) {
        return 1.0;
    }
    const auto m = static_cast<double>(failing);
    const auto r = static_cast<double>(redundant);
    const auto c = static_cast<double>(relative_codimension);
    const double log_choose = std::lgamma(m + 1.0) - std::lgamma(r + 1.0) - std::lgamma(m - r + 1.0);
    const double log_bound = log_choose - c * r * std::log(2.0) +
                             static_cast<double>(passing_outside) * std::log1p(-std::exp2(-c));
    return std::min(1.0, std::exp(log_bound));
}

}  // namespace

std::uint16_t AffinePortSpace::reduce(std::uint16_t vector) const {
    for (unsigned bit = 16; bit-- > 0;) {
        if (((vector >> bit) & 1U) != 0 && pivots_[bit] != 0) {
            vector = static_cast<std::uint16_t>(vector ^ pivots_[bit]);
        }
    }
    return vector;
}

bool AffinePortSpace::add(std::uint16_t port) {
    const std::uint16_t residue = reduce(static_cast<std::uint16_t>(port ^ origin_));
    if (residue == 0) {
        return false;
    }
    const unsigned pivot = top_bit(residue);
    // Keep the basis fully reduced: clear the new pivot bit from the others.
    for (std::uint16_t& vector : pivots_) {
        if (vector != 0 && ((vector >> pivot) & 1U) != 0) {
            vector = static_cast<std::uint16_t>(vector ^ residue);
        }
    }
    pivots_[pivot] = residue;
    return true;
}

bool AffinePortSpace::contains(std::uint16_t port) const {
    return reduce(static_cast<std::uint16_t>(port ^ origin_)) == 0;
}

unsigned AffinePortSpace::dimension() const {
    unsigned dimension = 0;
    for (const std::uint16_t vector : pivots_) {
        dimension += vector != 0 ? 1U : 0U;
    }
    return dimension;
}

std::vector<std::uint16_t> AffinePortSpace::basis() const {
    std::vector<std::uint16_t> basis;
    for (unsigned bit = 16; bit-- > 0;) {
        if (pivots_[bit] != 0) {
            basis.push_back(pivots_[bit]);
        }
    }
    return basis;
}

std::vector<AffinePortSpace::Equation> AffinePortSpace::equations() const {
    // The annihilator of the basis, built by the same elimination: every mask
    // orthogonal to all basis vectors, reduced to an independent set.
    const auto vectors = basis();
    AffinePortSpace annihilator(0);
    for (std::uint32_t mask = 1; mask <= 0xffffU; ++mask) {
        const auto m = static_cast<std::uint16_t>(mask);
        bool orthogonal = true;
        for (const std::uint16_t v : vectors) {
            orthogonal = orthogonal && !dot(m, v);
        }
        if (orthogonal) {
            annihilator.add(m);
        }
    }
    std::vector<Equation> equations;
    for (const std::uint16_t mask : annihilator.basis()) {
        equations.push_back({mask, dot(mask, origin_)});
    }
    return equations;
}

std::string_view to_string(FitOutcome outcome) {
    switch (outcome) {
    case FitOutcome::accepted: return "accepted";
    case FitOutcome::no_failures: return "no_failures";
    case FitOutcome::includes_passing: return "includes_passing";
    case FitOutcome::not_significant: return "not_significant";
    case FitOutcome::codimension_too_small: return "codimension_too_small";
    case FitOutcome::codimension_too_large: return "codimension_too_large";
    }
    return "unknown";
}

namespace {

// The fit of every failing port; `chance_factor` multiplies the chance bound
// (the choices made before fitting).
AffineFit fit_all(std::span<const std::uint16_t> failing, std::span<const std::uint16_t> passing,
                  const FitConfig& config, double chance_factor) {
    AffineFit fit;
    const std::unordered_set<std::uint16_t> distinct(failing.begin(), failing.end());
    fit.failing = distinct.size();
    if (failing.empty()) {
        return fit;
    }
    AffinePortSpace space(failing.front());
    for (const std::uint16_t port : failing) {
        static_cast<void>(space.add(port));
    }
    AffinePortSpace probed = space;
    for (const std::uint16_t port : passing) {
        fit.passing_inside += space.contains(port) ? 1U : 0U;
        static_cast<void>(probed.add(port));
    }
    fit.redundant = fit.failing - (space.dimension() + 1U);
    fit.probed_dimension = probed.dimension();
    fit.chance = std::min(1.0, chance_factor * chance_bound(fit.failing, fit.redundant,
                                                            probed.dimension() - space.dimension(),
                                                            fit.passing_inside == 0 ? passing.size() : 0));
    fit.hash_space_share = std::ldexp(1.0, -static_cast<int>(space.codimension()));
    if (space.codimension() == 0) {
        fit.outcome = FitOutcome::codimension_too_small;
    } else if (fit.passing_inside > 0) {
        fit.outcome = FitOutcome::includes_passing;
    } else if (fit.chance >= config.alpha) {
        fit.outcome = FitOutcome::not_significant;
    } else if (space.codimension() > config.max_codimension) {
        fit.outcome = FitOutcome::codimension_too_large;
    } else {
        fit.outcome = FitOutcome::accepted;
    }
    fit.space = space;
    return fit;
}

}  // namespace

AffineFit fit_affine_ports(std::span<const std::uint16_t> failing, std::span<const std::uint16_t> passing,
                           const FitConfig& config) {
    auto fit = fit_all(failing, passing, config, 1.0);
    const bool one_port_may_spoil =
        fit.outcome == FitOutcome::includes_passing || fit.outcome == FitOutcome::codimension_too_small;
    if (!config.allow_one_outlier || !one_port_may_spoil || fit.failing < 3) {
        return fit;
    }
    std::vector<std::uint16_t> ports(failing.begin(), failing.end());
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
    std::optional<AffineFit> best;
    std::vector<std::uint16_t> rest;
    for (const std::uint16_t left_out : ports) {
        rest.clear();
        std::copy_if(ports.begin(), ports.end(), std::back_inserter(rest),
                     [left_out](std::uint16_t port) { return port != left_out; });
        auto candidate = fit_all(rest, passing, config, static_cast<double>(ports.size()));
        if (candidate.accepted() && (!best || candidate.chance < best->chance)) {
            candidate.outlier = left_out;
            best = std::move(candidate);
        }
    }
    return best ? *best : fit;
}

PredictionScore score_prediction(const AffinePortSpace& space, std::span<const LabelledPort> held_out) {
    PredictionScore score;
    for (const LabelledPort& labelled : held_out) {
        const bool predicted = space.contains(labelled.port);
        ++score.total;
        if (predicted == labelled.failed) {
            ++score.correct;
        } else if (predicted) {
            ++score.false_failures;
        } else {
            ++score.missed_failures;
        }
    }
    return score;
}

}  // namespace tlsprobe::results
