#pragma once
// The frame of every HTML report: one self-contained file. Styles and the
// one script are inline, pictures are inline SVG, and a
// Content-Security-Policy meta forbids loading anything else, so the page
// opens from a mail attachment without a request leaving the machine, and
// prints (buttons hidden, sections kept whole).
#include <string>
#include <string_view>
#include <vector>

namespace tlsprobe::reports {

// `body` is HTML already escaped by its builder.
[[nodiscard]] std::string html_page(std::string_view title, std::string_view body);

// A <table> with a header row; cells are text (escaped here). Columns after
// the first are right-aligned numbers. `id` names the table for readers and tests.
struct HtmlTable {
    std::string id;
    std::vector<std::string> headers;
    std::vector<std::vector<std::string>> rows;
    // Per row, the value of its `data-name` attribute (the outcome or verdict name).
    std::vector<std::string> row_names;
};
[[nodiscard]] std::string html_table(const HtmlTable& table);

// A <pre> holding a Wireshark display filter, with a button that copies it.
[[nodiscard]] std::string copyable_filter(std::string_view label, std::string_view filter);

// A <section> with a heading; `content` is HTML.
[[nodiscard]] std::string html_section(std::string_view id, std::string_view heading, std::string_view content);

}  // namespace tlsprobe::reports
