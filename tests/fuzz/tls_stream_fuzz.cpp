// libFuzzer target for TLS record reassembly on its own: one direction's
// TCP segments put back in order by the Reassembler, the stream they make
// read by the TlsRecordReader.
//
// Input: a count byte N, then N segment operations of 5 bytes each (an op
// byte, a little-endian 16-bit start and length), then the stream S itself.
// Each operation hands the Reassembler S[start, start + length) at stream
// offset `start`, or the same bytes at an offset far behind (an old
// retransmission), or notes a capture loss, or stops it. Finally all of S
// arrives at offset 0, as a full retransmission would.
//
// What must hold, or the target aborts:
// - the bytes delivered are S's bytes in order, each once: a prefix of S, and
//   all of S once the full retransmission arrived (unless stopped);
// - the TLS reader reports the same events at the same stream offsets
//   whether it reads the stream as delivered, whole, or one byte at a time.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "capture/reassembler.hpp"
#include "capture/tls_record_reader.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace tlsprobe::capture;

// Every event as one line of text, offsets included.
class RecordingHandler final : public TlsHandler {
public:
    void on_client_hello(ClientHello&& hello, std::uint64_t begin, std::uint64_t end) override
    {
        add("client_hello sni=" + hello.sni + " suites=" + std::to_string(hello.cipher_suites.size()), begin, end);
    }
    void on_server_hello(const ServerHello& hello, std::uint64_t begin, std::uint64_t end) override
    {
        add("server_hello suite=" + code_point(hello.cipher_suite) + " hrr=" + std::to_string(hello.hello_retry_request),
            begin, end);
    }
    void on_change_cipher_spec(std::uint64_t at) override { add("change_cipher_spec", at, at); }
    void on_alert(std::uint8_t level, std::uint8_t description, std::uint64_t at) override
    {
        add("alert " + std::to_string(level) + "/" + std::to_string(description), at, at);
    }
    void on_first_encrypted(std::uint64_t at) override { add("first_encrypted", at, at); }
    void on_not_tls() override { add("not_tls", 0, 0); }
    void on_error(const TlsParseError& error) override { add("error " + std::string(error.field), error.offset, 0); }

    std::vector<std::string> events;

private:
    void add(const std::string& what, std::uint64_t begin, std::uint64_t end)
    {
        events.push_back(what + " " + std::to_string(begin) + " " + std::to_string(end));
    }
};

std::uint16_t u16_at(std::span<const std::byte> bytes, std::size_t at)
{
    return static_cast<std::uint16_t>(std::to_integer<unsigned>(bytes[at]) |
                                      (std::to_integer<unsigned>(bytes[at + 1]) << 8U));
}

std::vector<std::string> events_of(std::span<const std::byte> stream, std::size_t chunk)
{
    TlsRecordReader reader;
    RecordingHandler handler;
    while (!stream.empty()) {
        const auto n = std::min(chunk, stream.size());
        reader.feed(stream.first(n), handler);
        stream = stream.subspan(n);
    }
    return std::move(handler.events);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto input = tlsprobe::fuzz::bytes_of(data, size);
    if (input.empty()) {
        return 0;
    }
    constexpr std::size_t op_size = 5;
    const std::size_t ops = std::min<std::size_t>(std::to_integer<std::size_t>(input[0]) % 65, (input.size() - 1) / op_size);
    const auto program = input.subspan(1, ops * op_size);
    const auto stream = input.subspan(1 + ops * op_size);

    Reassembler reassembler;
    TlsRecordReader reader;
    RecordingHandler handler;
    std::vector<std::byte> delivered;
    const Reassembler::Deliver deliver = [&](std::span<const std::byte> bytes) {
        delivered.insert(delivered.end(), bytes.begin(), bytes.end());
        reader.feed(bytes, handler);
    };
    bool stopped = false;
    for (std::size_t i = 0; i < ops; ++i) {
        const auto op = std::to_integer<unsigned>(program[i * op_size]) % 8;
        const std::size_t start = std::min<std::size_t>(u16_at(program, i * op_size + 1), stream.size());
        const std::size_t length = std::min<std::size_t>(u16_at(program, i * op_size + 3), stream.size() - start);
        const auto segment = stream.subspan(start, length);
        const auto offset = static_cast<std::uint32_t>(start);
        switch (op) {
        case 5: reassembler.add(offset - 0x1000000U, segment, deliver); break;
        case 6: reassembler.note_loss(); break;
        case 7:
            reassembler.stop();
            stopped = true;
            break;
        default: reassembler.add(offset, segment, deliver); break;
        }
    }
    reassembler.add(0, stream, deliver);

    if (delivered.size() > stream.size() || !std::equal(delivered.begin(), delivered.end(), stream.begin()) ||
        (!stopped && delivered.size() != stream.size()) || reassembler.next() != delivered.size()) {
        std::abort();
    }
    const std::span<const std::byte> seen(delivered);
    if (handler.events != events_of(seen, seen.size() + 1) || handler.events != events_of(seen, 1)) {
        std::abort();
    }
    return 0;
}
