// The terminal tables: columns line up at their widths, alignment per
// column, and a cell wider than its column pushes the line instead of
// being cut.
#include <gtest/gtest.h>

#include <stdexcept>

#include "reports/text_table.hpp"

namespace tlsprobe::reports {
namespace {

TEST(TextTable, AlignsEachColumnToItsWidth)
{
    TextTable table({{.header = "name", .width = 6, .align = Align::left},
                     {.header = "n", .width = 4},
                     {.header = "note", .width = 0, .align = Align::left, .gap = 2}});
    table.add_row({"ok", "12", "fine"});
    table.add_row({"reset", "3", ""});
    EXPECT_EQ(table.render(),
              "name      n  note\n"
              "ok       12  fine\n"
              "reset     3  \n");
}

TEST(TextTable, WideCellPushesTheRestOfItsLine)
{
    TextTable table({{.header = "a", .width = 3}, {.header = "b", .width = 3}});
    table.add_row({"12345", "6"});
    EXPECT_EQ(table.render(),
              "  a   b\n"
              "12345   6\n");
}

TEST(TextTable, HeaderOnlyWithoutRows)
{
    const TextTable table({{.header = "outcome", .width = 10, .align = Align::left}, {.header = "probes", .width = 8}});
    EXPECT_EQ(table.render(), "outcome      probes\n");
}

TEST(TextTable, RowNeedsOneCellPerColumn)
{
    TextTable table({{.header = "a", .width = 1}, {.header = "b", .width = 1}});
    EXPECT_THROW(table.add_row({"1"}), std::invalid_argument);
}

}  // namespace
}  // namespace tlsprobe::reports
