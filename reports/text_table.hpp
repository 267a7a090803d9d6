#pragma once
// A column-aligned text table for the terminal: fixed least widths, so a
// table printed in pieces (or twice) lines up, and a cell wider than its
// column pushes the rest of its line right instead of being cut.
#include <cstddef>
#include <string>
#include <vector>

namespace tlsprobe::reports {

enum class Align { left, right };

struct Column {
    std::string header;
    std::size_t width = 0;        // least width in bytes (cells are ASCII); 0 leaves the cell as it is
    Align align = Align::right;
    std::size_t gap = 1;          // spaces before the column (none before the first)
};

class TextTable {
public:
    explicit TextTable(std::vector<Column> columns);

    // One cell per column, already formatted (numbers with their precision).
    void add_row(std::vector<std::string> cells);

    // The header line, then one line per row, each ending in '\n'.
    [[nodiscard]] std::string render() const;

private:
    [[nodiscard]] std::string line(const std::vector<std::string>& cells) const;

    std::vector<Column> columns_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace tlsprobe::reports
