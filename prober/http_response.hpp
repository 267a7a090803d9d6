#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace tlsprobe::prober {

// How far an HTTP/1.1 response has arrived, judged from the bytes so far.
// The request says `Connection: close`, so a response without Content-Length
// ends when the server closes.
struct HttpResponseProgress {
    bool headers_complete = false;
    bool complete = false;                 // headers and the whole Content-Length body are in
    std::optional<std::uint16_t> status;   // from the status line, once it parsed
};

[[nodiscard]] HttpResponseProgress http_response_progress(std::string_view received);

}  // namespace tlsprobe::prober
