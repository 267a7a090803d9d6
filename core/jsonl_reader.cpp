#include "core/jsonl_reader.hpp"

#include <boost/json/parse.hpp>

#include <fstream>
#include <string>

#include "core/errors.hpp"
#include "core/text_lines.hpp"

namespace tlsprobe::core {

JsonlReadResult read_jsonl(const std::filesystem::path& path, const JsonlHandler& handler)
{
    std::ifstream in(path);
    if (!in) {
        throw InputError(path.string() + ": cannot open");
    }
    JsonlReadResult result;
    std::string text;
    std::uint64_t number = 0;
    while (std::getline(in, text)) {
        ++number;
        // getline sets eof only when the file ended before a newline.
        const bool terminated = !in.eof();
        if (trim(text).empty()) {
            continue;
        }
        const auto where = path.string() + ":" + std::to_string(number) + ": ";
        boost::system::error_code ec;
        const auto value = boost::json::parse(text, ec);
        if (ec || !value.is_object()) {
            if (!terminated) {
                result.cut_line = number;
                break;
            }
            throw InputError(where + (ec ? "not JSON (" + ec.message() + ")" : std::string("not a JSON object")));
        }
        try {
            handler(value.get_object(), number);
        } catch (const InputError& error) {
            throw InputError(where + error.what());
        }
        ++result.records;
    }
    if (in.bad()) {
        throw InputError(path.string() + ": read error after line " + std::to_string(number));
    }
    return result;
}

}  // namespace tlsprobe::core
