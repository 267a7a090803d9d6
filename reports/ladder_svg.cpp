// ladder_svg: the ladder diagram drawn (lanes, one arrow per packet, time-gap breaks, notes).
#include "reports/ladder_diagram.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "reports/svg.hpp"

namespace tlsprobe::reports {
namespace {

constexpr double time_column = 104;      // left: the time of each arrow
constexpr double lane_area = 520;        // between the first and the last lane
constexpr double detail_gap = 28;        // from the last lane to the detail column
constexpr double detail_column = 470;    // right: flags, seq, len, TTL
constexpr double header_height = 78;
constexpr double row_height = 34;
constexpr double arrow_offset = 20;      // from a row's top to its arrow
constexpr double gap_height = 30;
constexpr double note_height = 16;
constexpr double slope = 8;              // an arrow falls this much: time passes while it travels
constexpr double gap_break_ms = 500;     // more than this between two arrows draws a break

const svg::Attributes text_small{{"font-family", "sans-serif"}, {"font-size", "11"}};

std::string time_text(const LadderArrow& arrow)
{
    const auto magnitude = arrow.t_ms < 0 ? -arrow.t_ms : arrow.t_ms;
    auto text = magnitude >= 1000 ? fmt::format("{:+.3f} s", arrow.t_ms / 1000) : fmt::format("{:+.3f} ms", arrow.t_ms);
    return arrow.shifted ? "≈ " + text : text;
}

std::string gap_text(double ms)
{
    return ms >= 1000 ? fmt::format("{:.3f} s later", ms / 1000) : fmt::format("{:.1f} ms later", ms);
}

// `base` with `more` added; a key in both takes the value from `more` (an
// attribute written twice makes the SVG unreadable).
svg::Attributes with(svg::Attributes base, std::initializer_list<std::pair<std::string_view, std::string>> more)
{
    for (const auto& added : more) {
        const auto same = std::find_if(
            base.begin(), base.end(), [&](const auto& attribute) { return attribute.first == added.first; });
        if (same != base.end()) {
            same->second = added.second;
        } else {
            base.emplace_back(added.first, added.second);
        }
    }
    return base;
}

class LadderPainter {
public:
    explicit LadderPainter(const LadderExample& example) : example_(example)
    {
        const auto lanes = example.lanes.size();
        for (std::size_t i = 0; i < lanes; ++i) {
            const double step = lanes > 1 ? lane_area / static_cast<double>(lanes - 1) : 0;
            lane_x_.push_back(time_column + 40 + step * static_cast<double>(i));
        }
        detail_x_ = lane_x_.back() + detail_gap;
    }

    std::string paint() &&
    {
        const double rows_top = header_height;
        double rows_height = 0;
        for (std::size_t i = 0; i < example_.arrows.size(); ++i) {
            rows_height += row_height + (gap_before(i) ? gap_height : 0);
        }
        rows_height += row_height * ((example_.client_more != 0 ? 1 : 0) + (example_.server_more != 0 ? 1 : 0));
        if (example_.arrows.empty()) {
            rows_height += row_height;
        }
        const double rows_bottom = rows_top + rows_height + 8;
        const double height = rows_bottom + 12 + note_height * static_cast<double>(example_.notes.size());
        const double width = detail_x_ + detail_column;

        svg::Document doc(width, height, "Ladder diagram: " + example_.caption, "ladder");
        doc.text(8, 16, example_.caption,
                 with(text_small, {{"class", "caption"}, {"font-size", "13"}, {"font-weight", "bold"}}));
        paint_lanes(doc, rows_top, rows_bottom);

        double top = rows_top;
        for (std::size_t i = 0; i < example_.arrows.size(); ++i) {
            if (gap_before(i)) {
                paint_gap(doc, top, example_.arrows[i].t_ms - example_.arrows[i - 1].t_ms);
                top += gap_height;
            }
            paint_arrow(doc, example_.arrows[i], top + arrow_offset);
            top += row_height;
        }
        if (example_.arrows.empty()) {
            doc.text(lane_x_.front() + 8, top + arrow_offset, "no packet of this connection was captured",
                     with(text_small, {{"class", "empty"}}));
        }
        const std::pair<std::uint64_t, std::string_view> more[] = {{example_.client_more, "client"},
                                                                    {example_.server_more, "server"}};
        for (const auto& [count, vantage] : more) {
            if (count != 0) {
                doc.text(lane_x_.front() + 8, top + arrow_offset,
                         fmt::format("and {} more packets seen at the {} (not drawn)", count, vantage),
                         with(text_small, {{"class", "more"}, {"font-style", "italic"}}));
                top += row_height;
            }
        }
        double note_y = rows_bottom + 14;
        for (const auto& note : example_.notes) {
            doc.text(8, note_y, note, with(text_small, {{"class", "note"}, {"fill", "#444"}}));
            note_y += note_height;
        }
        return std::move(doc).finish();
    }

private:
    [[nodiscard]] double x_of(LadderLane lane) const
    {
        for (std::size_t i = 0; i < example_.lanes.size(); ++i) {
            if (example_.lanes[i].lane == lane) {
                return lane_x_[i];
            }
        }
        return lane_x_.front();
    }

    [[nodiscard]] bool gap_before(std::size_t i) const
    {
        return i > 0 && example_.arrows[i].t_ms - example_.arrows[i - 1].t_ms > gap_break_ms;
    }

    void paint_lanes(svg::Document& doc, double top, double bottom) const
    {
        for (std::size_t i = 0; i < example_.lanes.size(); ++i) {
            const auto& lane = example_.lanes[i];
            const double x = lane_x_[i];
            doc.open_group({{"class", "lane"}, {"data-lane", std::string(to_string(lane.lane))}});
            doc.text(x, 36, lane.title,
                     with(text_small, {{"text-anchor", "middle"}, {"font-size", "12"}, {"font-weight", "bold"}}));
            doc.text(x, 52, lane.address, with(text_small, {{"text-anchor", "middle"}, {"fill", "#444"}}));
            doc.path(fmt::format("M{} {} L{} {}", svg::coordinate(x), svg::coordinate(top - 14), svg::coordinate(x),
                                 svg::coordinate(bottom)),
                     {{"stroke", "#888"}, {"stroke-width", "2"}});
            doc.close_group();
        }
    }

    void paint_gap(svg::Document& doc, double y, double ms) const
    {
        const double left = lane_x_.front() - 30;
        const double right = lane_x_.back() + 30;
        doc.open_group({{"class", "gap"}});
        doc.rect(left, y + 2, right - left, gap_height - 4, {{"fill", "#fff"}, {"stroke", "none"}});
        for (const double x : lane_x_) {
            // The lane's break mark: two short slanted strokes.
            doc.path(fmt::format("M{} {} l12 -4 M{} {} l12 -4", svg::coordinate(x - 6), svg::coordinate(y + 9),
                                 svg::coordinate(x - 6), svg::coordinate(y + 17)),
                     {{"stroke", "#888"}, {"stroke-width", "1.5"}});
        }
        // Between the first two lanes, clear of the break marks.
        const double middle = lane_x_.size() > 1 ? (lane_x_[0] + lane_x_[1]) / 2 : lane_x_[0] + 60;
        doc.text(middle, y + gap_height / 2 + 1, "… " + gap_text(ms) + " …",
                 with(text_small, {{"text-anchor", "middle"}, {"font-style", "italic"}, {"fill", "#666"}}));
        doc.close_group();
    }

    void paint_arrow(svg::Document& doc, const LadderArrow& arrow, double y) const
    {
        const double x1 = x_of(arrow.from);
        const double x_end = x_of(arrow.to);
        // A lost packet stops two thirds of the way, at a cross.
        const double x2 = arrow.lost ? x1 + (x_end - x1) * 0.66 : x_end;
        const double y2 = y + (arrow.lost ? slope * 0.66 : slope);
        const double direction = x_end >= x1 ? 1.0 : -1.0;
        const std::string color = arrow.lost ? "#c0392b" : arrow.foreign_sender ? "#b9770e" : "#1f4e79";

        svg::Attributes group{{"class", arrow.lost ? "packet lost" : "packet"},
                              {"data-what", std::string(to_string(arrow.kind))},
                              {"data-vantage", std::string(to_string(arrow.vantage))},
                              {"data-from", std::string(to_string(arrow.from))},
                              {"data-to", std::string(to_string(arrow.to))},
                              {"data-t-ms", fmt::format("{:.3f}", arrow.t_ms)}};
        if (arrow.ttl) {
            group.emplace_back("data-ttl", std::to_string(*arrow.ttl));
        }
        if (arrow.foreign_sender) {
            group.emplace_back("data-hops", std::to_string(arrow.foreign_sender->hops));
        }
        doc.open_group(group);
        doc.tooltip(fmt::format("{} {} {}{}", time_text(arrow), arrow.label, arrow.detail,
                                arrow.lost ? "" : fmt::format(" (captured at the {})", to_string(arrow.vantage))));
        doc.text(8, y + 4, time_text(arrow), with(text_small, {{"class", "time"}, {"fill", "#444"}}));
        svg::Attributes stroke{{"stroke", color}, {"stroke-width", "1.5"}, {"fill", "none"}};
        if (arrow.lost) {
            stroke.emplace_back("stroke-dasharray", "6 4");
        }
        doc.path(fmt::format("M{} {} L{} {}", svg::coordinate(x1), svg::coordinate(y), svg::coordinate(x2),
                             svg::coordinate(y2)),
                 stroke);
        if (arrow.lost) {
            doc.path(fmt::format("M{0} {1} L{2} {3} M{0} {3} L{2} {1}", svg::coordinate(x2 - 6),
                                 svg::coordinate(y2 - 6), svg::coordinate(x2 + 6), svg::coordinate(y2 + 6)),
                     {{"class", "cross"}, {"stroke", color}, {"stroke-width", "2.5"}});
        } else {
            const double back = x2 - direction * 9;
            doc.path(fmt::format("M{} {} L{} {} L{} {} Z", svg::coordinate(x2), svg::coordinate(y2),
                                 svg::coordinate(back), svg::coordinate(y2 - 4.5), svg::coordinate(back),
                                 svg::coordinate(y2 + 4.5)),
                     {{"fill", color}, {"stroke", "none"}});
            // The capture point: where this copy of the packet was seen.
            const auto seen = arrow.vantage == LadderVantage::client ? LadderLane::client : LadderLane::server;
            doc.circle(x_of(seen), seen == arrow.from ? y : y2, 3, {{"class", "seen"}, {"fill", color}});
        }
        doc.text((x1 + x2) / 2, (y + y2) / 2 - 6, arrow.label,
                 with(text_small,
                      {{"class", "label"}, {"text-anchor", "middle"}, {"fill", color}, {"font-weight", "bold"}}));
        doc.text(detail_x_, y + 4, arrow.detail,
                 with(text_small, {{"class", "detail"}, {"fill", arrow.lost ? color : "#222"}}));
        doc.close_group();
    }

    const LadderExample& example_;
    std::vector<double> lane_x_;
    double detail_x_ = 0;
};

}  // namespace

std::string ladder_svg(const LadderExample& example)
{
    if (example.lanes.empty()) {
        throw std::invalid_argument("ladder_svg: an example without lanes");
    }
    return LadderPainter(example).paint();
}

}  // namespace tlsprobe::reports
