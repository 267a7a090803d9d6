#include "capture/tls_event_recorder.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace tlsprobe::capture {
namespace {

constexpr std::size_t max_alerts = 8;

}  // namespace

DirectionRecord& TlsEventRecorder::direction()
{
    return flow_.timeline.direction(side_);
}

bool TlsEventRecorder::reverse_guess(std::uint64_t at, std::string_view field)
{
    if (!flow_.timeline.direction_inferred) {
        on_error({static_cast<std::size_t>(at), field});
        return false;
    }
    flow_.reverse_direction = true;
    return true;
}

std::int64_t TlsEventRecorder::time_of(std::uint64_t offset) const
{
    std::int64_t best = now_ns_;
    for (const auto& s : flow_.state(side_).segments) {
        if (overlaps(s, offset, offset + 1)) {
            best = std::min(best, s.t_ns);
        }
    }
    return best;
}

template <typename Record>
void TlsEventRecorder::date(Record& record, std::uint64_t begin, std::uint64_t end)
{
    record.begin = begin;
    record.end = end;
    record.t_ns = time_of(begin);
    for (const auto& s : flow_.state(side_).segments) {
        if (s.retransmission && overlaps(s, begin, end)) {
            record.retransmissions.add(s.t_ns);
        }
    }
}

void TlsEventRecorder::on_client_hello(ClientHello&& hello, std::uint64_t begin, std::uint64_t end)
{
    if (side_ != Side::client && !reverse_guess(begin, "client_hello.from_server")) {
        return;
    }
    auto& record = flow_.timeline.client_hello.emplace();
    record.hello = std::move(hello);
    date(record, begin, end);
}

void TlsEventRecorder::on_server_hello(const ServerHello& hello, std::uint64_t begin, std::uint64_t end)
{
    if (side_ != Side::server && !reverse_guess(begin, "server_hello.from_client")) {
        return;
    }
    auto& record = flow_.timeline.server_hello.emplace();
    record.hello = hello;
    date(record, begin, end);
}

void TlsEventRecorder::on_change_cipher_spec(std::uint64_t at)
{
    auto& d = direction();
    if (!d.change_cipher_spec_ns) {
        d.change_cipher_spec_ns = time_of(at);
    }
}

void TlsEventRecorder::on_alert(std::uint8_t level, std::uint8_t description, std::uint64_t at)
{
    auto& d = direction();
    if (d.alerts.size() < max_alerts) {
        d.alerts.push_back({time_of(at), level, description});
    }
}

void TlsEventRecorder::on_first_encrypted(std::uint64_t at)
{
    direction().first_encrypted_ns = time_of(at);
}

void TlsEventRecorder::on_not_tls()
{
    direction().not_tls = true;
}

void TlsEventRecorder::on_error(const TlsParseError& error)
{
    auto& d = direction();
    if (!d.tls_error) {
        d.tls_error = error;
    }
}

}  // namespace tlsprobe::capture
