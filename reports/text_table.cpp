#include "reports/text_table.hpp"

#include <stdexcept>
#include <utility>

namespace tlsprobe::reports {

TextTable::TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

void TextTable::add_row(std::vector<std::string> cells)
{
    if (cells.size() != columns_.size()) {
        throw std::invalid_argument("a table row needs one cell per column");
    }
    rows_.push_back(std::move(cells));
}

std::string TextTable::line(const std::vector<std::string>& cells) const
{
    std::string out;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        const auto& column = columns_[i];
        const auto& cell = cells[i];
        if (i != 0) {
            out.append(column.gap, ' ');
        }
        const auto padding = column.width > cell.size() ? column.width - cell.size() : 0;
        if (column.align == Align::right) {
            out.append(padding, ' ');
        }
        out += cell;
        if (column.align == Align::left) {
            out.append(padding, ' ');
        }
    }
    return out + '\n';
}

std::string TextTable::render() const
{
    std::vector<std::string> headers;
    headers.reserve(columns_.size());
    for (const auto& column : columns_) {
        headers.push_back(column.header);
    }
    std::string out = line(headers);
    for (const auto& row : rows_) {
        out += line(row);
    }
    return out;
}

}  // namespace tlsprobe::reports
