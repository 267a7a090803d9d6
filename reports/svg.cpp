#include "reports/svg.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace tlsprobe::reports::svg {

std::string escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string coordinate(double value)
{
    if (!std::isfinite(value)) {
        return "0";
    }
    auto text = fmt::format("{:.2f}", value);
    while (text.back() == '0') {
        text.pop_back();
    }
    if (text.back() == '.') {
        text.pop_back();
    }
    return text == "-0" ? "0" : text;
}

std::string tick_label(double value, std::string_view suffix)
{
    const auto magnitude = std::abs(value);
    std::string number;
    if (magnitude >= 1e6) {
        number = fmt::format("{:g}M", value / 1e6);
    } else if (magnitude >= 1e4) {
        number = fmt::format("{:g}k", value / 1e3);
    } else {
        number = fmt::format("{:g}", value);
    }
    return number + std::string(suffix);
}

namespace {

// A round step (1, 2 or 5 x 10^k) that cuts `span` into about `count` parts.
double round_step(double span, int count)
{
    const auto raw = span / std::max(count, 1);
    const auto power = std::pow(10.0, std::floor(std::log10(raw)));
    const auto fraction = raw / power;
    const auto nice = fraction < 1.5 ? 1.0 : fraction < 3.5 ? 2.0 : fraction < 7.5 ? 5.0 : 10.0;
    return nice * power;
}

}  // namespace

LinearScale::LinearScale(double domain_low, double domain_high, double range_low, double range_high)
    : low_(domain_low), high_(domain_high), range_low_(range_low), range_high_(range_high)
{
    if (!(high_ > low_)) {
        high_ = low_ + 1.0;
    }
}

double LinearScale::operator()(double value) const
{
    return range_low_ + (value - low_) / (high_ - low_) * (range_high_ - range_low_);
}

std::vector<double> LinearScale::ticks(int count) const
{
    const auto step = round_step(high_ - low_, count);
    std::vector<double> values;
    for (auto k = std::ceil(low_ / step - 1e-9); k * step <= high_ + step * 1e-9; k += 1.0) {
        values.push_back(k * step == 0.0 ? 0.0 : k * step);
    }
    return values;
}

LogScale::LogScale(double domain_low, double domain_high, double range_low, double range_high)
    : low_(domain_low), high_(domain_high), range_low_(range_low), range_high_(range_high)
{
    if (!(low_ > 0.0) || !(high_ > 0.0)) {
        throw std::invalid_argument("a log scale needs a positive domain");
    }
    if (!(high_ > low_)) {
        high_ = low_ * 10.0;
    }
}

double LogScale::operator()(double value) const
{
    const auto clamped = std::max(value, low_);
    return range_low_ +
           (std::log10(clamped) - std::log10(low_)) / (std::log10(high_) - std::log10(low_)) * (range_high_ - range_low_);
}

std::vector<double> LogScale::ticks(int count) const
{
    const auto first = static_cast<int>(std::floor(std::log10(low_)));
    const auto last = static_cast<int>(std::ceil(std::log10(high_)));
    const auto decades = std::max(last - first, 1);
    // Few decades: 1, 2, 5 in each; many: powers of ten only, every k-th.
    const std::vector<double> mantissas = decades * 3 <= count ? std::vector<double>{1, 2, 5} : std::vector<double>{1};
    const auto every = std::max(1, decades / std::max(count, 1));
    std::vector<double> values;
    for (auto exponent = first; exponent <= last; ++exponent) {
        if ((exponent - first) % every != 0) {
            continue;
        }
        for (const auto mantissa : mantissas) {
            const auto value = mantissa * std::pow(10.0, exponent);
            if (value >= low_ * (1 - 1e-9) && value <= high_ * (1 + 1e-9)) {
                values.push_back(value);
            }
        }
    }
    return values;
}

Document::Document(double width, double height, std::string_view title, std::string_view css_class)
{
    out_ = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" class="{}" role="img">)",
                       coordinate(width), coordinate(height), coordinate(width), coordinate(height), escape(css_class));
    out_ += "<title>" + escape(title) + "</title>";
}

void Document::start_element(std::string_view name, const Attributes& attributes)
{
    out_ += '<';
    out_ += name;
    for (const auto& [key, value] : attributes) {
        out_ += ' ';
        out_ += key;
        out_ += "=\"";
        out_ += escape(value);
        out_ += '"';
    }
}

void Document::open_group(const Attributes& attributes)
{
    start_element("g", attributes);
    out_ += '>';
    ++open_groups_;
}

void Document::close_group()
{
    if (open_groups_ == 0) {
        throw std::logic_error("svg: close_group without an open group");
    }
    out_ += "</g>";
    --open_groups_;
}

void Document::line(double x1, double y1, double x2, double y2, std::string_view css_class)
{
    start_element("line", {{"x1", coordinate(x1)}, {"y1", coordinate(y1)}, {"x2", coordinate(x2)},
                           {"y2", coordinate(y2)}, {"class", std::string(css_class)}});
    out_ += "/>";
}

void Document::rect(double x, double y, double width, double height, const Attributes& attributes)
{
    Attributes all{{"x", coordinate(x)}, {"y", coordinate(y)}, {"width", coordinate(std::max(width, 0.0))},
                   {"height", coordinate(std::max(height, 0.0))}};
    all.insert(all.end(), attributes.begin(), attributes.end());
    start_element("rect", all);
    out_ += "/>";
}

void Document::circle(double cx, double cy, double r, const Attributes& attributes)
{
    Attributes all{{"cx", coordinate(cx)}, {"cy", coordinate(cy)}, {"r", coordinate(r)}};
    all.insert(all.end(), attributes.begin(), attributes.end());
    start_element("circle", all);
    out_ += "/>";
}

void Document::polyline(const std::vector<std::pair<double, double>>& points, const Attributes& attributes)
{
    std::string list;
    for (const auto& [x, y] : points) {
        if (!list.empty()) {
            list += ' ';
        }
        list += coordinate(x) + ',' + coordinate(y);
    }
    Attributes all{{"points", list}};
    all.insert(all.end(), attributes.begin(), attributes.end());
    start_element("polyline", all);
    out_ += "/>";
}

void Document::path(std::string_view d, const Attributes& attributes)
{
    Attributes all{{"d", std::string(d)}};
    all.insert(all.end(), attributes.begin(), attributes.end());
    start_element("path", all);
    out_ += "/>";
}

void Document::text(double x, double y, std::string_view content, const Attributes& attributes)
{
    Attributes all{{"x", coordinate(x)}, {"y", coordinate(y)}};
    all.insert(all.end(), attributes.begin(), attributes.end());
    start_element("text", all);
    out_ += '>';
    out_ += escape(content);
    out_ += "</text>";
}

void Document::tooltip(std::string_view content)
{
    out_ += "<title>" + escape(content) + "</title>";
}

std::string Document::finish() &&
{
    while (open_groups_ > 0) {
        close_group();
    }
    out_ += "</svg>";
    return std::move(out_);
}

}  // namespace tlsprobe::reports::svg
