#include "prober/http_response.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tlsprobe::prober {
namespace {

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

template <typename Number>
std::optional<Number> parse_number(std::string_view text)
{
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    Number value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end == text.data()) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

HttpResponseProgress http_response_progress(std::string_view received)
{
    HttpResponseProgress progress;
    const auto header_end = received.find("\r\n\r\n");
    if (header_end == std::string_view::npos) {
        return progress;
    }
    progress.headers_complete = true;
    auto headers = received.substr(0, header_end + 2);
    const auto status_line_end = headers.find("\r\n");
    const auto status_line = headers.substr(0, status_line_end);
    if (status_line.starts_with("HTTP/1.") && status_line.size() >= 12) {
        progress.status = parse_number<std::uint16_t>(status_line.substr(9, 3));
    }
    headers.remove_prefix(status_line_end + 2);
    std::optional<std::uint64_t> content_length;
    while (!headers.empty()) {
        const auto line_end = headers.find("\r\n");
        const auto line = headers.substr(0, line_end);
        headers.remove_prefix(line_end + 2);
        const auto colon = line.find(':');
        if (colon != std::string_view::npos && iequals(line.substr(0, colon), "content-length")) {
            content_length = parse_number<std::uint64_t>(line.substr(colon + 1));
        }
    }
    const auto body_bytes = received.size() - header_end - 4;
    progress.complete = content_length && body_bytes >= *content_length;
    return progress;
}

}  // namespace tlsprobe::prober
