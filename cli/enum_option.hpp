#pragma once
// Flags whose values are the names of a library enum (--arrival poisson).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "scenarios/enum_names.hpp"

namespace tlsprobe::cli {

// Adds `flag` bound to the enum `value` itself, taking the words of the
// library's table `names` (only those of `only` when it is not empty); --help
// lists them in table order with the current value as the default.
template <typename Enum, std::size_t N>
CLI::Option* add_enum_option(CLI::App& app, const std::string& flag, Enum& value,
                             const scenarios::EnumNames<Enum, N>& names, const std::string& description,
                             std::initializer_list<Enum> only = {})
{
    std::vector<std::string> words;
    std::map<std::string, Enum> to_enum;
    for (const auto& [name, candidate] : names) {
        if (only.size() == 0 || std::find(only.begin(), only.end(), candidate) != only.end()) {
            words.emplace_back(name);
            to_enum.emplace(name, candidate);
        }
    }
    // Transformers run last-added first. CheckedTransformer would also take
    // the enum's number ("1"), so IsMember goes first: it admits the words
    // only and, on a typo, says which they are. No stream: CLI11 would show
    // the default through the library's to_string, which gives a
    // string_view where it wants a string.
    return app.add_option_no_stream(flag, value, description)
        ->transform(CLI::CheckedTransformer(std::move(to_enum)).description(""))
        ->transform(CLI::IsMember(std::move(words)))
        ->type_name("TEXT")
        ->default_str(std::string(scenarios::name_of(names, value)));
}

}  // namespace tlsprobe::cli
