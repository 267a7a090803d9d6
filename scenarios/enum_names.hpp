#pragma once
// The words a setting's enum values are written as, in flags, scenario files
// and summary.json: one table per enum, in the order help texts list them.
#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

namespace tlsprobe::scenarios {

template <typename Enum, std::size_t N>
using EnumNames = std::array<std::pair<std::string_view, Enum>, N>;

// The word for `value`; a table lists every value of its enum.
template <typename Enum, std::size_t N>
[[nodiscard]] constexpr std::string_view name_of(const EnumNames<Enum, N>& names, Enum value)
{
    for (const auto& [name, candidate] : names) {
        if (candidate == value) {
            return name;
        }
    }
    return {};
}

}  // namespace tlsprobe::scenarios
