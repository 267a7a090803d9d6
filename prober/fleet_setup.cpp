#include "prober/fleet_setup.hpp"

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

#include "core/errors.hpp"

namespace tlsprobe::prober {
namespace {

namespace asio = boost::asio;

asio::ip::address parse_source(const std::string& source_ip)
{
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(source_ip, ec);
    if (ec) {
        throw core::UsageError("source_ip", ": \"" + source_ip + "\" is not an IP address");
    }
    return address;
}

asio::ip::tcp::endpoint resolve_target(const scenarios::Endpoint& target, const std::string& source_ip)
{
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    boost::system::error_code ec;
    const auto results = resolver.resolve(target.host, std::to_string(target.port),
                                          asio::ip::tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
        throw core::UsageError("target", ": cannot resolve \"" + target.host + "\": " + ec.message());
    }
    if (source_ip.empty()) {
        return results.begin()->endpoint();
    }
    const bool want_v6 = parse_source(source_ip).is_v6();
    for (const auto& entry : results) {
        if (entry.endpoint().address().is_v6() == want_v6) {
            return entry.endpoint();
        }
    }
    throw core::UsageError("source_ip", ": " + source_ip + " is not of the same address family as `target` " +
                                          target.host);
}

asio::ip::address source_address(const std::string& source_ip, const asio::ip::tcp::endpoint& target)
{
    if (source_ip.empty()) {
        return target.address().is_v6() ? asio::ip::address(asio::ip::address_v6::any())
                                         : asio::ip::address(asio::ip::address_v4::any());
    }
    return parse_source(source_ip);
}

}  // namespace

FleetEndpoints resolve_fleet_endpoints(const scenarios::RunPlan& plan)
{
    const auto target = resolve_target(plan.target, plan.source_ip);
    return {.target = target, .source = source_address(plan.source_ip, target)};
}

void check_source_address(const FleetEndpoints& endpoints)
{
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.open(endpoints.target.protocol(), ec);
    if (!ec) {
        socket.bind({endpoints.source, 0}, ec);
    }
    if (ec == boost::system::errc::address_not_available) {
        throw core::UsageError("source_ip", ": " + endpoints.source.to_string() +
                               " is not an address of this host, so no probe could be sent from it");
    }
    if (ec) {
        throw core::EnvironmentError("cannot bind a socket to " + endpoints.source.to_string() + ": " + ec.message());
    }
}

// Every probe holds one socket; the workers, the output files and the
// resolver need a few more.
void raise_open_files_limit(std::uint32_t concurrency)
{
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    const rlim_t needed = concurrency + 64;
    if (limit.rlim_max < needed) {
        throw core::EnvironmentError(
            "concurrency",
            fmt::format(" {} needs {} open files but the hard limit is {}; lower `concurrency` or raise the limit",
                        concurrency, needed, limit.rlim_max));
    }
}

}  // namespace tlsprobe::prober
