#include "reports/html_page.hpp"

#include <fmt/format.h>

#include "reports/svg.hpp"

namespace tlsprobe::reports {
namespace {

// Colours: ok green, failures red, not judged grey; series colours c0..c7
// tell phases (or before/after) apart and stay distinct in greyscale print.
constexpr std::string_view style = R"css(
:root { --ok: #2e7d32; --bad: #c62828; --some: #ef9a9a; --most: #e53935; --grey: #9e9e9e; --ink: #1b1b1b; --muted: #5f6368; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); margin: 0 auto; max-width: 980px; padding: 20px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 3px 10px; border-radius: 12px; font-weight: 600; color: #fff; }
.badge.healthy { background: var(--ok); } .badge.unhealthy { background: var(--bad); }
.badge.insufficient_evidence, .badge.interrupted, .badge.unknown { background: #8d6e00; }
.badge.improved { background: var(--ok); } .badge.regressed { background: var(--bad); }
.badge.unchanged { background: #455a64; } .badge.inconclusive { background: #8d6e00; }
ul.findings li { margin: 3px 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { font-weight: 600; color: var(--muted); }
.note { color: var(--muted); font-size: 13px; }
pre.filter { background: #f5f5f5; padding: 8px; white-space: pre-wrap; word-break: break-all; margin: 4px 0; font-size: 12px; }
button.copy { font: inherit; font-size: 12px; padding: 2px 8px; cursor: pointer; }
svg { display: block; max-width: 100%; height: auto; margin: 6px 0; }
svg text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: var(--ink); }
svg text.small { font-size: 9px; } svg text.label { fill: var(--muted); } svg text.empty { fill: var(--muted); font-size: 14px; }
svg text.middle { text-anchor: middle; } svg text.end { text-anchor: end; }
svg .grid { stroke: #e8e8e8; } svg .axis-line { stroke: #888; }
svg .line { fill: none; stroke-width: 1.8; } svg .dashed { stroke-dasharray: 5 3; }
svg .key { stroke-width: 2.5; }
svg .c0 { stroke: #1565c0; fill: #1565c0; } svg .c1 { stroke: #ef6c00; fill: #ef6c00; } svg .c2 { stroke: #2e7d32; fill: #2e7d32; }
svg .c3 { stroke: #6a1b9a; fill: #6a1b9a; } svg .c4 { stroke: #c62828; fill: #c62828; } svg .c5 { stroke: #00838f; fill: #00838f; }
svg .c6 { stroke: #5d4037; fill: #5d4037; } svg .c7 { stroke: #546e7a; fill: #546e7a; }
svg .line.c0, svg .line.c1, svg .line.c2, svg .line.c3, svg .line.c4, svg .line.c5, svg .line.c6, svg .line.c7 { fill: none; }
svg .bar rect { stroke: none; opacity: .85; } svg .bar.flagged rect { fill: var(--bad); }
svg .whisker { stroke: var(--ink); stroke-width: 1; } svg .reference { stroke: var(--muted); stroke-dasharray: 4 3; }
svg .cell.clean { fill: #a5d6a7; } svg .cell.some { fill: var(--some); } svg .cell.most { fill: var(--most); }
svg .cell.all { fill: #7f0000; } svg .cell.unjudged { fill: var(--grey); } svg .cell.unprobed { fill: #f0f0f0; }
svg .stack.ok rect { fill: #a5d6a7; } svg .stack.failed rect { fill: var(--bad); } svg .stack.unjudged rect { fill: var(--grey); }
@media print { button { display: none; } section, svg { break-inside: avoid; } body { max-width: none; } }
)css";

// Copies the filter next to the button; the Clipboard API needs a secure
// context, which a file:// page may not be, so selection + execCommand is
// the fallback.
constexpr std::string_view script = R"js(
document.addEventListener('click', function (event) {
  var button = event.target.closest('button.copy');
  if (!button) { return; }
  var text = document.getElementById(button.dataset.target).textContent;
  var done = function () { button.textContent = 'copied'; setTimeout(function () { button.textContent = 'copy'; }, 1500); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, function () {});
    return;
  }
  var range = document.createRange();
  range.selectNodeContents(document.getElementById(button.dataset.target));
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  try { if (document.execCommand('copy')) { done(); } } catch (e) {}
});
)js";

}  // namespace

std::string html_page(std::string_view title, std::string_view body)
{
    return fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n{}\n<script>{}</script>\n</body>\n</html>\n",
        svg::escape(title), style, body, script);
}

std::string html_table(const HtmlTable& table)
{
    std::string out = fmt::format("<div class=\"table-wrap\"><table id=\"{}\"><thead><tr>", svg::escape(table.id));
    for (const auto& header : table.headers) {
        out += "<th>" + svg::escape(header) + "</th>";
    }
    out += "</tr></thead><tbody>";
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        out += i < table.row_names.size() ? fmt::format("<tr data-name=\"{}\">", svg::escape(table.row_names[i])) : "<tr>";
        for (const auto& cell : table.rows[i]) {
            out += "<td>" + svg::escape(cell) + "</td>";
        }
        out += "</tr>";
    }
    return out + "</tbody></table></div>";
}

std::string copyable_filter(std::string_view label, std::string_view filter)
{
    const auto id = "filter-" + std::string(label);
    return fmt::format(
        "<div class=\"filter\"><span class=\"note\">Wireshark display filter ({})</span> "
        "<button class=\"copy\" type=\"button\" data-target=\"{}\">copy</button>"
        "<pre class=\"filter\" id=\"{}\">{}</pre></div>",
        svg::escape(label), svg::escape(id), svg::escape(id), svg::escape(filter));
}

std::string html_section(std::string_view id, std::string_view heading, std::string_view content)
{
    return fmt::format("<section id=\"{}\"><h2>{}</h2>{}</section>\n", svg::escape(id), svg::escape(heading), content);
}

}  // namespace tlsprobe::reports
