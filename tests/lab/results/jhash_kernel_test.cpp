// Re-checks the jhash model against the running kernel: SYNs from known
// source ports leave a private network namespace through an nftables rule
// that sorts them into one set per jhash bucket; every port's bucket must be
// the model's. Needs root (unshare, nft).
#include "results/hash_model.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "root_guard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tlsprobe::results {
namespace {

struct KernelCase {
    std::string nft_expr;  // the hash expression as nft writes it
    std::string spec;      // the same hash as a model spec
    std::uint32_t mod;
    std::uint32_t offset;
    bool ipv6;
};

constexpr std::uint16_t closed_port = 9;
constexpr std::size_t probes_per_case = 256;

std::vector<std::uint16_t> probe_ports() {
    std::vector<std::uint16_t> ports;
    for (std::size_t i = 0; i < probes_per_case; ++i) {
        ports.push_back(static_cast<std::uint16_t>(1024 + (i * 241) % 64000));
    }
    return ports;
}

std::string ruleset(const KernelCase& c) {
    std::string rules = "table inet hb {\n";
    std::string vmap;
    for (std::uint32_t b = 0; b < c.mod; ++b) {
        rules += fmt::format("  set s{0} {{ type inet_service; flags dynamic; size 65536; }}\n"
                             "  chain b{0} {{\n    add @s{0} {{ tcp sport }}\n  }}\n",
                             b);
        vmap += fmt::format("{}{} : jump b{}", b == 0 ? "" : ", ", b + c.offset, b);
    }
    rules += fmt::format("  chain out {{\n    type filter hook output priority 0; policy accept;\n"
                         "    {} daddr {} tcp dport {} tcp flags syn {} vmap {{ {} }}\n  }}\n}}\n",
                         c.ipv6 ? "ip6" : "ip", c.ipv6 ? "2001:db8::2" : "198.18.0.2", closed_port,
                         c.nft_expr, vmap);
    return rules;
}

bool run(const std::string& command) {
    return std::system(command.c_str()) == 0;  // NOLINT(cert-env33-c): fixed commands, no user input
}

std::string read_command(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return out;
    }
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        out.append(buffer, n);
    }
    pclose(pipe);
    return out;
}

// A refused connect to a closed port sends exactly one SYN through OUTPUT.
bool send_syn(bool ipv6, std::uint16_t src_port) {
    const int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return false;
    }
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const timeval timeout{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    bool bound = false;
    if (ipv6) {
        sockaddr_in6 src{};
        sockaddr_in6 dst{};
        src.sin6_family = dst.sin6_family = AF_INET6;
        inet_pton(AF_INET6, "2001:db8::1", &src.sin6_addr);
        inet_pton(AF_INET6, "2001:db8::2", &dst.sin6_addr);
        src.sin6_port = htons(src_port);
        dst.sin6_port = htons(closed_port);
        bound = bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0;  // NOLINT: sockets API
        if (bound) {
            static_cast<void>(connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst));  // NOLINT
        }
    } else {
        sockaddr_in src{};
        sockaddr_in dst{};
        src.sin_family = dst.sin_family = AF_INET;
        inet_pton(AF_INET, "198.18.0.1", &src.sin_addr);
        inet_pton(AF_INET, "198.18.0.2", &dst.sin_addr);
        src.sin_port = htons(src_port);
        dst.sin_port = htons(closed_port);
        bound = bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0;  // NOLINT
        if (bound) {
            static_cast<void>(connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst));  // NOLINT
        }
    }
    close(fd);
    return bound;
}

// Runs in the child, inside its own network namespace (gone when it exits):
// writes "port bucket" lines to `out`; exit status 0 on success.
int observe_in_namespace(const KernelCase& c, FILE* out) {
    alarm(60);  // bound the whole child even if a command hangs
    if (unshare(CLONE_NEWNET) != 0) {
        return 10;
    }
    const bool setup =
        run("ip link set lo up") &&
        (c.ipv6 ? run("ip -6 addr add 2001:db8::1/128 dev lo nodad && ip -6 addr add 2001:db8::2/128 dev lo nodad")
                : run("ip addr add 198.18.0.1/32 dev lo && ip addr add 198.18.0.2/32 dev lo"));
    if (!setup) {
        return 11;
    }
    FILE* nft = popen("nft -f -", "w");
    if (nft == nullptr) {
        return 12;
    }
    const std::string rules = ruleset(c);
    std::fwrite(rules.data(), 1, rules.size(), nft);
    if (pclose(nft) != 0) {
        return 13;
    }
    for (const std::uint16_t port : probe_ports()) {
        if (!send_syn(c.ipv6, port)) {
            return 14;
        }
    }
    for (std::uint32_t b = 0; b < c.mod; ++b) {
        const auto json = boost::json::parse(read_command(fmt::format("nft -j list set inet hb s{}", b)));
        for (const auto& item : json.at("nftables").as_array()) {
            const auto* set = item.as_object().if_contains("set");
            if (set == nullptr || !set->as_object().contains("elem")) {
                continue;
            }
            for (const auto& elem : set->as_object().at("elem").as_array()) {
                std::fprintf(out, "%lld %u\n", static_cast<long long>(elem.as_int64()), b + c.offset);
            }
        }
    }
    std::fflush(out);
    return 0;
}

std::optional<std::map<std::uint16_t, std::uint32_t>> observe(const KernelCase& c) {
    int fds[2];
    if (pipe(fds) != 0) {
        return std::nullopt;
    }
    const pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        FILE* out = fdopen(fds[1], "w");
        std::_Exit(out == nullptr ? 15 : observe_in_namespace(c, out));
    }
    close(fds[1]);
    std::map<std::uint16_t, std::uint32_t> observed;
    FILE* in = fdopen(fds[0], "r");
    unsigned port = 0;
    unsigned bucket = 0;
    while (in != nullptr && std::fscanf(in, "%u %u", &port, &bucket) == 2) {
        observed[static_cast<std::uint16_t>(port)] = bucket;
    }
    if (in != nullptr) {
        std::fclose(in);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        ADD_FAILURE() << "namespace child failed with status " << status;
        return std::nullopt;
    }
    return observed;
}

TEST(JhashKernel, ModelPredictsEveryBucketTheKernelChooses) {
    TLSPROBE_REQUIRE_ROOT();
    const std::vector<KernelCase> cases{
        {"jhash ip saddr . tcp sport . ip daddr . tcp dport mod 8 seed 0x1234", "jhash:seed=0x1234,mod=8", 8, 0,
         false},
        {"jhash ip saddr . tcp sport . ip daddr . tcp dport mod 16 seed 0xdeadbeef offset 100",
         "jhash:seed=0xdeadbeef,mod=16,offset=100", 16, 100, false},
        {"jhash ip6 saddr . tcp sport . ip6 daddr . tcp dport mod 8 seed 0x1234", "jhash:seed=0x1234,mod=8", 8, 0,
         true},
        {"jhash ip saddr . tcp sport mod 8 seed 7", "jhash:seed=7,fields=saddr.sport,mod=8", 8, 0, false},
        {"jhash tcp sport mod 5 seed 0", "jhash:seed=0,fields=sport,mod=5", 5, 0, false},
    };
    for (const KernelCase& c : cases) {
        const auto observed = observe(c);
        ASSERT_TRUE(observed) << c.nft_expr;
        ASSERT_EQ(observed->size(), probes_per_case) << c.nft_expr;
        const auto model = parse_hash_model(c.spec);
        const auto src = boost::asio::ip::make_address(c.ipv6 ? "2001:db8::1" : "198.18.0.1");
        const auto dst = boost::asio::ip::make_address(c.ipv6 ? "2001:db8::2" : "198.18.0.2");
        for (const auto& [port, bucket] : *observed) {
            EXPECT_EQ(model->bucket(FlowTuple{src, port, dst, closed_port}), bucket) << c.nft_expr << " port " << port;
        }
    }
}

}  // namespace
}  // namespace tlsprobe::results
