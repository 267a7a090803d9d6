#pragma once
// The few SVG pieces the HTML reports draw with: an element writer that
// escapes every text, linear and log scales, and tick values a reader
// expects (1, 2, 5 x 10^k). Charts live in report_charts.hpp, the ladder in
// ladder_diagram.hpp; none of them emits one element per probe.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tlsprobe::reports::svg {

// Text and attribute values with &, <, >, " and ' escaped.
[[nodiscard]] std::string escape(std::string_view text);

// A number for an SVG coordinate: at most two decimals, no exponent.
[[nodiscard]] std::string coordinate(double value);

// A tick label: 0.5, 2, 1.5k, 20k, 1M; `suffix` appended ("ms", "%").
[[nodiscard]] std::string tick_label(double value, std::string_view suffix = {});

class LinearScale {
public:
    // Maps [domain_low, domain_high] onto [range_low, range_high]; a domain
    // of zero width is widened by one unit so a single point still draws.
    LinearScale(double domain_low, double domain_high, double range_low, double range_high);
    [[nodiscard]] double operator()(double value) const;
    // About `count` round values inside the domain.
    [[nodiscard]] std::vector<double> ticks(int count) const;
    [[nodiscard]] double domain_low() const { return low_; }
    [[nodiscard]] double domain_high() const { return high_; }

private:
    double low_;
    double high_;
    double range_low_;
    double range_high_;
};

class LogScale {
public:
    // Base-10 log scale; both domain ends must be > 0 (smaller values are
    // clamped to domain_low when mapped).
    LogScale(double domain_low, double domain_high, double range_low, double range_high);
    [[nodiscard]] double operator()(double value) const;
    // 1, 2, 5 per decade, thinned to about `count`.
    [[nodiscard]] std::vector<double> ticks(int count) const;
    [[nodiscard]] double domain_low() const { return low_; }
    [[nodiscard]] double domain_high() const { return high_; }

private:
    double low_;
    double high_;
    double range_low_;
    double range_high_;
};

using Attributes = std::vector<std::pair<std::string_view, std::string>>;

// Builds one <svg> element. Every element gets its attributes escaped;
// `class` names are what the page's stylesheet and the tests select on.
class Document {
public:
    // `title` becomes the accessible name (<title>) of the picture.
    Document(double width, double height, std::string_view title, std::string_view css_class);

    void open_group(const Attributes& attributes);
    void close_group();
    void line(double x1, double y1, double x2, double y2, std::string_view css_class);
    void rect(double x, double y, double width, double height, const Attributes& attributes);
    void circle(double cx, double cy, double r, const Attributes& attributes);
    void polyline(const std::vector<std::pair<double, double>>& points, const Attributes& attributes);
    void path(std::string_view d, const Attributes& attributes);
    void text(double x, double y, std::string_view content, const Attributes& attributes);
    // A <title> child for the element opened last by open_group: the tooltip.
    void tooltip(std::string_view content);

    [[nodiscard]] std::string finish() &&;

private:
    void start_element(std::string_view name, const Attributes& attributes);

    std::string out_;
    int open_groups_ = 0;
};

}  // namespace tlsprobe::reports::svg
