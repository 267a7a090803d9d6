#pragma once
// Everything a probe run needs, filled from the command line (and later from
// scenario files), validated once before anything starts.
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/endpoint.hpp"
#include "scenarios/enum_names.hpp"

namespace tlsprobe::scenarios {

enum class Arrival { constant, poisson };
enum class TlsVersion { any, tls12, tls13 };
enum class Request { none, http };
enum class PortOrder { sweep, random };

inline constexpr EnumNames<Arrival, 2> arrival_names{{{"constant", Arrival::constant}, {"poisson", Arrival::poisson}}};
inline constexpr EnumNames<TlsVersion, 3> tls_version_names{
    {{"1.2", TlsVersion::tls12}, {"1.3", TlsVersion::tls13}, {"any", TlsVersion::any}}};
inline constexpr EnumNames<Request, 2> request_names{{{"http", Request::http}, {"none", Request::none}}};
inline constexpr EnumNames<PortOrder, 2> port_order_names{{{"sweep", PortOrder::sweep}, {"random", PortOrder::random}}};

[[nodiscard]] std::string_view to_string(Arrival arrival);
[[nodiscard]] std::string_view to_string(TlsVersion version);
[[nodiscard]] std::string_view to_string(Request request);
[[nodiscard]] std::string_view to_string(PortOrder order);

// The target and listening addresses are core endpoints; the schema names
// them here so a plan reads in one vocabulary.
using core::Endpoint;
using core::parse_endpoint;
using core::PortZero;

struct PortRange {
    std::uint16_t low = 0;
    std::uint16_t high = 0;
};

struct TlsOptions {
    TlsVersion version = TlsVersion::any;
    std::string groups;                 // OpenSSL groups list, e.g. "X25519:P-256"
    std::string ciphers;                // TLS 1.2 cipher list and TLS 1.3 suites (TLS_*) mixed
    std::vector<std::string> alpn;      // protocols offered, in order
    std::string sni;                    // empty: the target host when it is a name
    std::optional<std::filesystem::path> ca_file;  // empty: the system trust store
    bool verify = true;
    bool resume = false;
    std::uint32_t pad_client_hello = 0; // grow the ClientHello to this many bytes (0: no padding)
};

// Safety caps a run cannot exceed without allow_high_load.
inline constexpr double default_rate_cap = 200.0;
inline constexpr std::uint32_t default_concurrency_cap = 1000;

struct RunPlan {
    Endpoint target;
    std::string source_ip;                 // empty: the wildcard address of the target's family
    std::vector<std::uint16_t> ports;      // explicit list (ports_file); empty: use `port_range`
    PortRange port_range{20000, 29999};    // below Linux's ephemeral range, so the kernel never hands them out
    PortOrder port_order = PortOrder::sweep;
    std::optional<std::uint64_t> count;    // probes to run; empty with no duration: one per port
    std::optional<std::chrono::milliseconds> duration;
    std::uint32_t concurrency = 100;
    double rate = 100.0;                   // new probes per second; 0: as fast as the concurrency allows
    Arrival arrival = Arrival::constant;
    std::uint64_t seed = 1;
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds handshake_timeout{5000};
    std::chrono::milliseconds data_timeout{5000};
    std::chrono::milliseconds hold{0};     // keep the connection open this long after the exchange
    // The fleet stops at this bound, whatever the plan (0: no bound); probes
    // in flight then are written as `interrupted` after the grace.
    std::chrono::milliseconds stop_after{0};
    TlsOptions tls;
    Request request = Request::http;
    std::filesystem::path out_dir;
    unsigned workers = 0;                  // 0: one per core
    bool allow_high_load = false;
};

// Throws core::UsageError naming `field` (see core::Error).
[[nodiscard]] PortRange parse_port_range(std::string_view text, const std::string& field);
// One port per line; blank lines and `#` comments are skipped. Errors name
// the file and line.
[[nodiscard]] std::vector<std::uint16_t> read_ports_file(const std::filesystem::path& path);

// Checks cross-field rules and applies the safety caps, returning a message
// for each cap applied, naming settings as core::Error does (`allow_high_load`).
// Throws core::UsageError naming the field on a violation.
std::vector<std::string> validate(RunPlan& plan);

// Probes the plan will start when it is bounded by count (or by ports), or
// the most a duration-bounded run can start at its rate.
[[nodiscard]] std::uint64_t planned_probes(const RunPlan& plan);

// The plan as recorded in summary.json, so a run says how it was made.
[[nodiscard]] boost::json::object plan_json(const RunPlan& plan);

}  // namespace tlsprobe::scenarios
