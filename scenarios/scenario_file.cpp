#include "scenarios/scenario_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/durations.hpp"

namespace tlsprobe::scenarios {
namespace {

namespace fs = std::filesystem;

// Ten million probes is days at the default rate cap; more is a typo.
constexpr std::uint64_t max_count = 10'000'000;

// ---- typed reads: the value of a key, or core::UsageError naming it -----

std::string_view type_of(const toml::node& node)
{
    switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date or time";
    }
}

[[noreturn]] void wrong_type(const toml::node& node, std::string_view field, std::string_view wanted)
{
    throw core::UsageError(std::string(field), fmt::format(": expects {}, not {}", wanted, type_of(node)));
}

std::string text(const toml::node& node, std::string_view field)
{
    if (const auto value = node.value_exact<std::string>()) {
        return *value;
    }
    wrong_type(node, field, "a string");
}

std::uint64_t whole(const toml::node& node, std::string_view field, std::uint64_t low, std::uint64_t high,
                    std::string_view why = {})
{
    const auto value = node.value_exact<std::int64_t>();
    if (!value) {
        wrong_type(node, field, "a whole number");
    }
    if (*value < 0 || static_cast<std::uint64_t>(*value) < low || static_cast<std::uint64_t>(*value) > high) {
        throw core::UsageError(std::string(field), fmt::format(": must be a whole number from {} to {}{}, not {}",
                                                               low, high, why, *value));
    }
    return static_cast<std::uint64_t>(*value);
}

enum class Sign { any, at_least_zero, above_zero };

double number(const toml::node& node, std::string_view field, Sign sign = Sign::any)
{
    if (!node.is_number()) {
        wrong_type(node, field, "a number");
    }
    const auto value = *node.value<double>();
    if (!std::isfinite(value)) {
        throw core::UsageError(std::string(field), ": must be a finite number");
    }
    if (sign == Sign::at_least_zero && value < 0) {
        throw core::UsageError(std::string(field), fmt::format(": must be at least 0, not {}", value));
    }
    if (sign == Sign::above_zero && value <= 0) {
        throw core::UsageError(std::string(field), fmt::format(": must be greater than 0, not {}", value));
    }
    return value;
}

std::chrono::milliseconds seconds(const toml::node& node, std::string_view field, Sign sign)
{
    const auto value = number(node, field, sign);
    try {
        return core::seconds_flag(value);
    } catch (const core::Error& error) {
        throw core::UsageError(std::string(field), ": " + std::string(error.what()));
    }
}

bool boolean(const toml::node& node, std::string_view field)
{
    if (const auto value = node.value_exact<bool>()) {
        return *value;
    }
    wrong_type(node, field, "true or false");
}

std::vector<std::string> words(const toml::node& node, std::string_view field)
{
    const auto* array = node.as_array();
    if (array == nullptr) {
        wrong_type(node, field, "an array of strings");
    }
    std::vector<std::string> out;
    for (const auto& element : *array) {
        out.push_back(text(element, field));
    }
    return out;
}

template <typename Enum, std::size_t N>
Enum choice(const toml::node& node, std::string_view field, const EnumNames<Enum, N>& names)
{
    const auto word = text(node, field);
    std::string allowed;
    for (const auto& [name, value] : names) {
        if (name == word) {
            return value;
        }
        allowed += (allowed.empty() ? "" : ", ") + std::string(name);
    }
    throw core::UsageError(std::string(field), fmt::format(": must be one of {}, not \"{}\"", allowed, word));
}

// A path in a file is relative to the file's directory; on the command line, to the working directory.
fs::path path_from(const toml::node& node, std::string_view field, const fs::path& base)
{
    const fs::path path = text(node, field);
    return fs::absolute(path.is_relative() && !base.empty() ? base / path : path);
}

// ---- writes: a value as TOML text ---------------------------------------

std::string toml_string(std::string_view value)
{
    std::ostringstream out;
    out << toml::value<std::string>(std::string(value));
    return out.str();
}

std::string number_text(double value)
{
    auto out = fmt::format("{}", value);
    // TOML reads "100" as an integer; keep it a float.
    return out.find_first_of(".e") == std::string::npos ? out + ".0" : out;
}

std::string seconds_text(std::chrono::milliseconds value)
{
    return number_text(static_cast<double>(value.count()) / 1000.0);
}

std::string words_text(const std::vector<std::string>& values)
{
    std::string out = "[";
    for (const auto& value : values) {
        out += (out.size() > 1 ? ", " : "") + toml_string(value);
    }
    return out + "]";
}

using Write = std::optional<std::string>;

// ---- the schema ---------------------------------------------------------

// How a flag's text becomes the key's value.
enum class Kind { text, whole, number, boolean, words };

struct Key {
    std::string_view table;   // "" for the top level
    std::string_view name;    // the field: errors and flags name it (--name with dashes)
    Kind kind;
    std::string_view help;
    void (*read)(Scenario&, const toml::node&, const fs::path& base);
    Write (*write)(const Scenario&);
};

// Keys that cannot both be given; a flag for one drops the other from the file.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> exclusive_keys{{
    {"probe.count", "probe.duration"},
    {"probe.ports", "probe.ports_file"},
    {"tls.insecure", "tls.ca_file"},
}};

const std::vector<Key>& schema()
{
    static const std::vector<Key> keys{
        {"", "name", Kind::text, "Scenario name shown in outputs (default: the file's stem)",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.name = text(n, "name"); },
         [](const Scenario& s) -> Write { return toml_string(s.name); }},
        {"", "description", Kind::text, "What the scenario is for",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.description = text(n, "description"); },
         [](const Scenario& s) -> Write { return toml_string(s.description); }},
        {"", "out", Kind::text, "Run directory (default: runs/<UTC time>)",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.out_dir = text(n, "out"); },
         [](const Scenario& s) -> Write {
             return s.plan.out_dir.empty() ? Write{} : toml_string(s.plan.out_dir.string());
         }},
        {"probe", "target", Kind::text, "HOST:PORT or [IPV6]:PORT to probe (required)",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.plan.target = parse_endpoint(text(n, "target"), "target");
         },
         [](const Scenario& s) -> Write {
             const auto& host = s.plan.target.host;
             if (host.empty()) {
                 return {};
             }
             const bool v6 = host.find(':') != std::string::npos;
             return toml_string((v6 ? "[" + host + "]" : host) + ":" + std::to_string(s.plan.target.port));
         }},
        {"probe", "source_ip", Kind::text, "Local address to bind (default: the wildcard address)",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.source_ip = text(n, "source_ip"); },
         [](const Scenario& s) -> Write { return toml_string(s.plan.source_ip); }},
        {"probe", "ports", Kind::text, "Source ports: a range LO-HI (or, in a file, an array of ports)",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             if (const auto* list = n.as_array()) {
                 s.plan.ports.clear();
                 for (const auto& port : *list) {
                     s.plan.ports.push_back(static_cast<std::uint16_t>(whole(port, "ports", 1, 65535)));
                 }
                 if (s.plan.ports.empty()) {
                     throw core::UsageError("ports", ": the list is empty");
                 }
                 return;
             }
             s.plan.ports.clear();
             s.plan.port_range = parse_port_range(text(n, "ports"), "ports");
         },
         [](const Scenario& s) -> Write {
             if (s.plan.ports.empty()) {
                 return toml_string(std::to_string(s.plan.port_range.low) + "-" + std::to_string(s.plan.port_range.high));
             }
             std::string out = "[";
             for (const auto port : s.plan.ports) {
                 out += (out.size() > 1 ? ", " : "") + std::to_string(port);
             }
             return out + "]";
         }},
        {"probe", "ports_file", Kind::text, "File with one source port per line",
         [](Scenario& s, const toml::node& n, const fs::path& base) {
             const auto path = path_from(n, "ports_file", base);
             try {
                 s.plan.ports = read_ports_file(path);
             } catch (const core::InputError& error) {
                 throw core::UsageError("ports_file", ": " + std::string(error.what()));
             }
         },
         // Written as the ports themselves: a run directory's scenario does not depend on another file.
         [](const Scenario&) -> Write { return {}; }},
        {"probe", "port_order", Kind::text, "sweep: the ports in order; random: one seeded permutation",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.plan.port_order = choice(n, "port_order", port_order_names);
         },
         [](const Scenario& s) -> Write { return toml_string(name_of(port_order_names, s.plan.port_order)); }},
        {"probe", "count", Kind::whole, "Probes to run (default: one per source port)",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.plan.count = whole(n, "count", 1, max_count);
         },
         [](const Scenario& s) -> Write {
             return s.plan.count ? std::to_string(*s.plan.count) : Write{};
         }},
        {"probe", "duration", Kind::number, "Run for this many seconds at the rate",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.duration = seconds(n, "duration", Sign::above_zero); },
         [](const Scenario& s) -> Write {
             return s.plan.duration ? seconds_text(*s.plan.duration) : Write{};
         }},
        {"probe", "rate", Kind::number, "New probes per second (0: as fast as the concurrency allows)",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.rate = number(n, "rate", Sign::at_least_zero); },
         [](const Scenario& s) -> Write { return number_text(s.plan.rate); }},
        {"probe", "arrival", Kind::text, "Arrival process of the open-loop schedule: constant or poisson",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.plan.arrival = choice(n, "arrival", arrival_names);
         },
         [](const Scenario& s) -> Write { return toml_string(name_of(arrival_names, s.plan.arrival)); }},
        {"probe", "seed", Kind::whole, "Seed for Poisson arrivals and random port order",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.plan.seed = whole(n, "seed", 0, std::numeric_limits<std::int64_t>::max());
         },
         [](const Scenario& s) -> Write { return std::to_string(s.plan.seed); }},
        {"probe", "concurrency", Kind::whole, "Most probes in flight at once",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.plan.concurrency = static_cast<std::uint32_t>(whole(n, "concurrency", 1, 1'000'000));
         },
         [](const Scenario& s) -> Write { return std::to_string(s.plan.concurrency); }},
        {"probe", "workers", Kind::whole, "Worker threads (default: one per core; at most 4 per core)",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             // Each worker is a thread with its own event loop: more than a few per core only costs memory.
             const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
             s.plan.workers =
                 static_cast<unsigned>(whole(n, "workers", 1, cores * 4ULL, " (4 per core on this host)"));
         },
         [](const Scenario& s) -> Write {
             return s.plan.workers == 0 ? Write{} : std::to_string(s.plan.workers);
         }},
        {"probe", "connect_timeout", Kind::number, "Seconds for the TCP handshake",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.plan.connect_timeout = seconds(n, "connect_timeout", Sign::above_zero);
         },
         [](const Scenario& s) -> Write { return seconds_text(s.plan.connect_timeout); }},
        {"probe", "handshake_timeout", Kind::number, "Seconds for the TLS handshake",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.plan.handshake_timeout = seconds(n, "handshake_timeout", Sign::above_zero);
         },
         [](const Scenario& s) -> Write { return seconds_text(s.plan.handshake_timeout); }},
        {"probe", "data_timeout", Kind::number, "Seconds for the request, response and close",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.data_timeout = seconds(n, "data_timeout", Sign::above_zero); },
         [](const Scenario& s) -> Write { return seconds_text(s.plan.data_timeout); }},
        {"probe", "hold", Kind::number, "Seconds to keep each connection open after the exchange",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.hold = seconds(n, "hold", Sign::at_least_zero); },
         [](const Scenario& s) -> Write { return seconds_text(s.plan.hold); }},
        {"probe", "request", Kind::text, "What to send after the handshake: http (GET /) or none",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.request = choice(n, "request", request_names); },
         [](const Scenario& s) -> Write { return toml_string(name_of(request_names, s.plan.request)); }},
        {"probe", "allow_high_load", Kind::boolean, "Lift the safety caps of 200 probes/s and 1000 concurrent probes",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.plan.allow_high_load = boolean(n, "allow_high_load");
         },
         [](const Scenario& s) -> Write { return s.plan.allow_high_load ? "true" : "false"; }},
        {"probe", "capture_linger", Kind::number, "Seconds the captures keep running after the last probe, for late FINs and resets",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.capture_linger = seconds(n, "capture_linger", Sign::at_least_zero); },
         [](const Scenario& s) -> Write { return seconds_text(s.capture_linger); }},
        {"probe", "max_seconds", Kind::number,
         "Hard wall-clock bound on the whole run, captures included (0: none); probes in flight then are "
         "written as interrupted",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.max_run = seconds(n, "max_seconds", Sign::at_least_zero); },
         [](const Scenario& s) -> Write { return seconds_text(s.max_run); }},
        {"tls", "tls_version", Kind::text, "TLS version to offer: 1.2, 1.3 or any",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.plan.tls.version = choice(n, "tls_version", tls_version_names);
         },
         [](const Scenario& s) -> Write { return toml_string(name_of(tls_version_names, s.plan.tls.version)); }},
        {"tls", "sni", Kind::text, "Server name to send and verify (default: the target host if a name)",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.tls.sni = text(n, "sni"); },
         [](const Scenario& s) -> Write { return toml_string(s.plan.tls.sni); }},
        {"tls", "groups", Kind::text, "Key exchange groups, OpenSSL syntax (X25519:P-256)",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.tls.groups = text(n, "groups"); },
         [](const Scenario& s) -> Write { return toml_string(s.plan.tls.groups); }},
        {"tls", "ciphers", Kind::text,
         "TLS 1.2 ciphers and TLS 1.3 suites (TLS_*), colon separated; suites of one version only offer only that "
         "version",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.tls.ciphers = text(n, "ciphers"); },
         [](const Scenario& s) -> Write { return toml_string(s.plan.tls.ciphers); }},
        {"tls", "alpn", Kind::words, "ALPN protocols to offer, in order (on the command line: comma separated)",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.tls.alpn = words(n, "alpn"); },
         [](const Scenario& s) -> Write { return words_text(s.plan.tls.alpn); }},
        {"tls", "ca_file", Kind::text, "PEM file of CA certificates to verify against (default: the system trust store)",
         [](Scenario& s, const toml::node& n, const fs::path& base) {
             s.plan.tls.ca_file = path_from(n, "ca_file", base);
         },
         [](const Scenario& s) -> Write {
             return s.plan.tls.ca_file ? toml_string(s.plan.tls.ca_file->string()) : Write{};
         }},
        {"tls", "insecure", Kind::boolean, "Do not verify the server certificate",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.tls.verify = !boolean(n, "insecure"); },
         [](const Scenario& s) -> Write { return s.plan.tls.verify ? "false" : "true"; }},
        {"tls", "resume", Kind::boolean, "Resume sessions after a first full handshake per worker",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.plan.tls.resume = boolean(n, "resume"); },
         [](const Scenario& s) -> Write { return s.plan.tls.resume ? "true" : "false"; }},
        {"tls", "pad_client_hello", Kind::whole, "Grow the ClientHello message to this many bytes (past one segment)",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.plan.tls.pad_client_hello = static_cast<std::uint32_t>(whole(n, "pad_client_hello", 0, 16000));
         },
         [](const Scenario& s) -> Write { return std::to_string(s.plan.tls.pad_client_hello); }},
        {"buckets", "model", Kind::text,
         "Hash model of the device, e.g. jhash:seed=0x1234,mod=8 (docs/BUCKETS.md); without it the failing ports "
         "are fitted over GF(2)",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.hash_model = text(n, "model"); },
         [](const Scenario& s) -> Write { return s.hash_model.empty() ? Write{} : toml_string(s.hash_model); }},
        {"buckets", "background_loss", Kind::number, "Failure rate of a healthy bucket, in [0, 1)",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.background_loss = number(n, "background_loss"); },
         [](const Scenario& s) -> Write { return number_text(s.background_loss); }},
        {"hunt", "budget", Kind::whole, "Most probes a hunt runs, re-probes included",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.hunt.budget = whole(n, "budget", 1, 1'000'000); },
         [](const Scenario& s) -> Write { return std::to_string(s.hunt.budget); }},
        {"hunt", "repeat_gap", Kind::number, "Seconds between rounds, so a re-probe meets no state left by the previous attempt",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.hunt.repeat_gap = seconds(n, "repeat_gap", Sign::at_least_zero); },
         [](const Scenario& s) -> Write { return seconds_text(s.hunt.repeat_gap); }},
        {"thresholds", "alpha", Kind::number, "Family-wise error rate of compare's tests",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.thresholds.alpha = number(n, "alpha"); },
         [](const Scenario& s) -> Write { return number_text(s.thresholds.alpha); }},
        {"thresholds", "power", Kind::number, "Power compare needs to call a pair of runs unchanged",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.thresholds.power = number(n, "power"); },
         [](const Scenario& s) -> Write { return number_text(s.thresholds.power); }},
        {"thresholds", "min_rate_change", Kind::number, "Smallest absolute failure-rate change that matters",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.thresholds.min_rate_change = number(n, "min_rate_change");
         },
         [](const Scenario& s) -> Write { return number_text(s.thresholds.min_rate_change); }},
        {"thresholds", "latency_tolerance_ratio", Kind::number, "A latency shift below this share of the before median is no change",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.thresholds.latency_tolerance_ratio = number(n, "latency_tolerance_ratio");
         },
         [](const Scenario& s) -> Write { return number_text(s.thresholds.latency_tolerance_ratio); }},
        {"thresholds", "latency_tolerance_ms", Kind::number, "Nor one below this many milliseconds",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.thresholds.latency_tolerance_ms = number(n, "latency_tolerance_ms");
         },
         [](const Scenario& s) -> Write { return number_text(s.thresholds.latency_tolerance_ms); }},
        {"thresholds", "max_failure_rate", Kind::number, "A run whose path failure rate is above this is unhealthy",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.thresholds.max_failure_rate = number(n, "max_failure_rate");
         },
         [](const Scenario& s) -> Write { return number_text(s.thresholds.max_failure_rate); }},
        {"thresholds", "min_probes", Kind::whole, "Fewer probes that judged the path than this: not enough evidence",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.thresholds.min_probes = whole(n, "min_probes", 1, std::numeric_limits<std::int64_t>::max());
         },
         [](const Scenario& s) -> Write { return std::to_string(s.thresholds.min_probes); }},
        {"thresholds", "forbidden_verdicts", Kind::words, "Verdicts that make a run unhealthy even once, whatever the rate",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.thresholds.forbidden_verdicts = words(n, "forbidden_verdicts");
         },
         [](const Scenario& s) -> Write { return words_text(s.thresholds.forbidden_verdicts); }},
        {"thresholds", "max_faulty_buckets", Kind::whole, "More faulty hash buckets than this is unhealthy (needs a model)",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.thresholds.max_faulty_buckets = whole(n, "max_faulty_buckets", 0, 1'000'000);
         },
         [](const Scenario& s) -> Write { return std::to_string(s.thresholds.max_faulty_buckets); }},
        {"thresholds", "max_handshake_p99_ms", Kind::number, "A TLS handshake p99 above this many ms is unhealthy (0: no limit)",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.thresholds.max_handshake_p99_ms = number(n, "max_handshake_p99_ms", Sign::at_least_zero);
         },
         [](const Scenario& s) -> Write { return number_text(s.thresholds.max_handshake_p99_ms); }},
        {"retention", "keep_runs", Kind::whole, "Canary run directories kept, newest first",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.retention.keep_runs = whole(n, "keep_runs", 1, 1'000'000);
         },
         [](const Scenario& s) -> Write { return std::to_string(s.retention.keep_runs); }},
        {"retention", "keep_days", Kind::number, "Canary run directories older than this many days are removed",
         [](Scenario& s, const toml::node& n, const fs::path&) {
             s.retention.keep_days = number(n, "keep_days", Sign::above_zero);
         },
         [](const Scenario& s) -> Write { return number_text(s.retention.keep_days); }},
        {"canary", "vantage", Kind::text, "Where the canary probes from, its metrics' vantage label (default: the host name)",
         [](Scenario& s, const toml::node& n, const fs::path&) { s.vantage = text(n, "vantage"); },
         [](const Scenario& s) -> Write { return toml_string(s.vantage); }},
    };
    return keys;
}

std::string key_path(const Key& key)
{
    return key.table.empty() ? std::string(key.name) : std::string(key.table) + "." + std::string(key.name);
}

// The key a field is written as in a file ("rate" -> "probe.rate").
std::string key_of_field(std::string_view field)
{
    if (field == "capture" || field == "labels") {
        return std::string(field);
    }
    for (const auto& key : schema()) {
        if (key.name == field) {
            return key_path(key);
        }
    }
    return std::string(field);
}

// A library's detail with every field in backquotes written as its key.
std::string keys_in(std::string_view text)
{
    return core::spell_fields(text, [](std::string_view field) { return "\"" + key_of_field(field) + "\""; });
}

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const auto above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string position(const toml::source_region& region)
{
    return fmt::format("{}:{}:{}", region.path ? *region.path : std::string("-"), region.begin.line,
                       region.begin.column);
}

[[noreturn]] void file_error(const toml::source_region& region, std::string_view message)
{
    throw core::InputError(position(region) + ": " + std::string(message));
}

// Unknown keys and tables, with the nearest known key.
void check_known_keys(const toml::table& root)
{
    std::vector<std::string> known{"capture", "labels"};
    for (const auto& key : schema()) {
        known.push_back(key_path(key));
    }
    const auto unknown = [&](const std::string& path, const toml::source_region& region) {
        std::string nearest;
        std::size_t best = 4;   // suggest only near misses
        for (const auto& candidate : known) {
            const auto distance = std::min(edit_distance(path, candidate),
                                           edit_distance(path.substr(path.rfind('.') + 1),
                                                         candidate.substr(candidate.rfind('.') + 1)));
            if (distance < best) {
                best = distance;
                nearest = candidate;
            }
        }
        file_error(region, "unknown key \"" + path + "\"" +
                               (nearest.empty() ? std::string(" (see docs/SCENARIOS.md)")
                                                : " (did you mean \"" + nearest + "\"?)"));
    };
    std::set<std::string_view> tables;
    for (const auto& key : schema()) {
        tables.insert(key.table);
    }
    for (const auto& [name, node] : root) {
        const std::string top(name.str());
        if (top == "labels") {
            const auto* labels = node.as_table();
            if (labels == nullptr) {
                file_error(name.source(), "key \"labels\" expects a table of strings");
            }
            for (const auto& [label, value] : *labels) {
                if (!value.is_string()) {
                    file_error(value.source(), "label \"" + std::string(label.str()) + "\" expects a string, not " +
                                                   std::string(type_of(value)));
                }
            }
            continue;
        }
        if (top == "capture") {
            const auto* vantages = node.as_array();
            if (vantages == nullptr || !vantages->is_array_of_tables()) {
                file_error(name.source(), "key \"capture\" expects [[capture]] tables");
            }
            for (const auto& vantage : *vantages) {
                for (const auto& [field, value] : *vantage.as_table()) {
                    if (field != "name" && field != "interface" && field != "command") {
                        file_error(field.source(), "unknown key \"capture." + std::string(field.str()) +
                                                       "\" (a capture takes name, interface or command)");
                    }
                }
            }
            continue;
        }
        if (tables.contains(top) && !top.empty()) {
            const auto* table = node.as_table();
            if (table == nullptr) {
                file_error(name.source(), "key \"" + top + "\" expects a table ([" + top + "])");
            }
            for (const auto& [field, value] : *table) {
                const auto path = top + "." + std::string(field.str());
                if (std::find(known.begin(), known.end(), path) == known.end()) {
                    unknown(path, field.source());
                }
            }
            continue;
        }
        if (std::find(known.begin(), known.end(), top) == known.end()) {
            unknown(top, name.source());
        }
    }
}

void check_exclusive_keys(const toml::table& root)
{
    for (const auto& [first, second] : exclusive_keys) {
        const auto* one = root.at_path(first).node();
        const auto* other = root.at_path(second).node();
        const bool both = one != nullptr && other != nullptr &&
                          !(first == "tls.insecure" && one->value_or(false) == false);
        if (both) {
            file_error(other->source(), fmt::format("conflicting keys \"{}\" and \"{}\": give one of them",
                                                    first, second));
        }
    }
}

CaptureVantage read_capture(const toml::table& table)
{
    CaptureVantage vantage;
    if (const auto* name = table.get("name")) {
        vantage.name = text(*name, "capture");
    }
    if (const auto* interface = table.get("interface")) {
        vantage.interface = text(*interface, "capture");
    }
    if (const auto* command = table.get("command")) {
        vantage.command = words(*command, "capture");
    }
    return vantage;
}

// A flag's text as the value its key takes, so it passes the file's checks.
void insert_flag_value(toml::table& root, const std::string& path, const std::vector<std::string>& texts)
{
    const auto dot = path.find('.');
    auto& table = dot == std::string::npos
                      ? root
                      : *root.emplace<toml::table>(path.substr(0, dot)).first->second.as_table();
    const auto leaf = dot == std::string::npos ? path : path.substr(dot + 1);
    if (path == "capture") {
        toml::array vantages;
        for (const auto& text : texts) {
            const auto vantage = parse_capture_flag(text);
            toml::table entry{{"name", vantage.name}};
            if (vantage.interface.empty()) {
                toml::array command;
                for (const auto& word : vantage.command) {
                    command.push_back(word);
                }
                entry.insert("command", std::move(command));
            } else {
                entry.insert("interface", vantage.interface);
            }
            vantages.push_back(std::move(entry));
        }
        root.insert_or_assign("capture", std::move(vantages));
        return;
    }
    const auto key = std::find_if(schema().begin(), schema().end(), [&](const Key& k) { return key_path(k) == path; });
    if (key == schema().end()) {
        throw std::logic_error("no scenario key " + path);
    }
    const auto& text = texts.front();
    const std::string field(key->name);
    switch (key->kind) {
    case Kind::text: table.insert_or_assign(leaf, text); return;
    case Kind::boolean: table.insert_or_assign(leaf, text != "false"); return;
    case Kind::whole: {
        std::int64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc() || end != text.data() + text.size()) {
            throw core::UsageError(field, ": \"" + text + "\" is not a whole number");
        }
        table.insert_or_assign(leaf, value);
        return;
    }
    case Kind::number: {
        double value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc() || end != text.data() + text.size()) {
            throw core::UsageError(field, ": \"" + text + "\" is not a number");
        }
        table.insert_or_assign(leaf, value);
        return;
    }
    case Kind::words: {
        toml::array words;
        std::string_view rest = text;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            words.push_back(std::string(rest.substr(0, comma)));
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
        table.insert_or_assign(leaf, std::move(words));
        return;
    }
    }
}

}  // namespace

std::string ScenarioSources::position_of(const std::string& field) const
{
    const auto found = positions_.find(field);
    return found == positions_.end() ? std::string() : found->second;
}

void ScenarioSources::rethrow(const core::UsageError& error) const
{
    const auto where = position_of(error.field());
    if (where.empty()) {
        throw error;
    }
    throw core::InputError(where + ": key \"" + key_of_field(error.field()) + "\"" + keys_in(error.detail()));
}

std::vector<ScenarioKey> scenario_keys()
{
    const Scenario defaults;
    std::vector<ScenarioKey> keys;
    for (const auto& key : schema()) {
        keys.push_back({.path = key_path(key),
                        .name = std::string(key.name),
                        .help = std::string(key.help),
                        .default_text = key.write(defaults).value_or(""),
                        .is_switch = key.kind == Kind::boolean});
    }
    return keys;
}

LoadedScenario load_scenario(const std::optional<fs::path>& file, const ScenarioOverrides& overrides)
{
    LoadedScenario loaded;
    auto& scenario = loaded.scenario;
    toml::table root;
    fs::path base;
    if (file) {
        std::ifstream in(*file, std::ios::binary);
        if (!in) {
            throw core::InputError(file->string() + ": cannot read the scenario file");
        }
        std::ostringstream text;
        text << in.rdbuf();
        try {
            root = toml::parse(text.str(), file->string());
        } catch (const toml::parse_error& error) {
            file_error(error.source(), "not TOML: " + std::string(error.description()));
        }
        check_known_keys(root);
        check_exclusive_keys(root);
        base = file->parent_path();
        scenario.name = file->stem().string();
    } else {
        scenario.name = "adhoc";
    }
    // The flags' values on top; one that excludes another key drops it.
    std::set<std::string> from_flags;
    for (const auto& [path, texts] : overrides.values()) {
        insert_flag_value(root, path, texts);
        from_flags.insert(path);
        for (const auto& [first, second] : exclusive_keys) {
            const auto drop = path == first ? second : path == second ? first : std::string_view{};
            if (auto* table = drop.empty() ? nullptr : root.get_as<toml::table>(drop.substr(0, drop.find('.')))) {
                table->erase(drop.substr(drop.find('.') + 1));
            }
        }
    }
    for (const auto& key : schema()) {
        const auto path = key_path(key);
        const auto* node = root.at_path(path).node();
        if (node == nullptr) {
            continue;
        }
        const bool from_file = !from_flags.contains(path);
        if (from_file) {
            loaded.sources.set(std::string(key.name), position(node->source()));
        }
        try {
            key.read(scenario, *node, from_file ? base : fs::path());
        } catch (const core::UsageError& error) {
            loaded.sources.rethrow(error);
        }
    }
    if (const auto* vantages = root.get_as<toml::array>("capture")) {
        if (!from_flags.contains("capture")) {
            loaded.sources.set("capture", position(vantages->source()));
        }
        for (const auto& vantage : *vantages) {
            try {
                scenario.captures.push_back(read_capture(*vantage.as_table()));
            } catch (const core::UsageError& error) {
                loaded.sources.rethrow(error);
            }
        }
    }
    if (const auto* labels = root.get_as<toml::table>("labels")) {
        for (const auto& [label, value] : *labels) {
            scenario.labels.emplace(label.str(), value.value_or(std::string()));
        }
    }
    if (file && root.at_path("probe.target").node() == nullptr) {
        throw core::InputError(file->string() + ": missing required key \"probe.target\" (HOST:PORT to probe)");
    }
    try {
        loaded.notes = validate(scenario);
    } catch (const core::UsageError& error) {
        loaded.sources.rethrow(error);
    }
    return loaded;
}

std::string scenario_toml(const Scenario& scenario, bool with_out)
{
    std::string out = "# tlsprobe scenario (docs/SCENARIOS.md)\n";
    std::string_view table = "";
    for (const auto& key : schema()) {
        if (key.name == "out" && !with_out) {
            continue;
        }
        const auto value = key.write(scenario);
        if (!value) {
            continue;
        }
        if (key.table != table) {
            table = key.table;
            out += fmt::format("\n[{}]\n", table);
        }
        out += fmt::format("{} = {}\n", key.name, *value);
    }
    if (!scenario.labels.empty()) {
        out += "\n[labels]\n";
        for (const auto& [label, value] : scenario.labels) {
            const bool bare = !label.empty() && label.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
                                                    std::string::npos;
            out += fmt::format("{} = {}\n", bare ? label : toml_string(label), toml_string(value));
        }
    }
    for (const auto& vantage : scenario.captures) {
        out += fmt::format("\n[[capture]]\nname = {}\n", toml_string(vantage.name));
        out += vantage.interface.empty() ? fmt::format("command = {}\n", words_text(vantage.command))
                                         : fmt::format("interface = {}\n", toml_string(vantage.interface));
    }
    return out;
}

}  // namespace tlsprobe::scenarios
