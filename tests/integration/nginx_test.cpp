// A real TLS server: nginx on loopback with a certificate from the test's own CA.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "child_process.hpp"
#include "run_records.hpp"

namespace tlsprobe::testing {
namespace {

void must(const CommandResult& result, const std::string& what)
{
    if (result.exit_code != 0) {
        throw std::runtime_error(what + " failed: " + result.err);
    }
}

// Makes ca.pem and server.pem/server.key (for localhost and 127.0.0.1) in
// `dir`; the server certificate is valid for `days` from now (-1: it expired
// a day ago).
void make_test_pki(const std::filesystem::path& dir, const std::string& days = "1")
{
    const auto at = [&](const char* name) { return (dir / name).string(); };
    must(run_command({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                      "-keyout", at("ca.key"), "-out", at("ca.pem"), "-days", "1", "-subj", "/CN=tlsprobe test CA"}),
         "CA");
    must(run_command({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                      at("server.key"), "-out", at("server.csr"), "-subj", "/CN=localhost"}),
         "server key");
    std::ofstream(dir / "ext.cnf") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    must(run_command({"openssl", "x509", "-req", "-in", at("server.csr"), "-CA", at("ca.pem"), "-CAkey",
                      at("ca.key"), "-CAcreateserial", "-out", at("server.pem"), "-days", days, "-extfile",
                      at("ext.cnf")}),
         "server certificate");
}

bool accepts_connections(std::uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

// Every probe of a run is judged as the first: verification answers repeated
// chains from memory (prober/verified_chain_cache.hpp), so each failing run
// below has several probes and each must fail.
TEST(Nginx, RealServerHandshakesAreOkWithTheTestCaAndCertErrorsOnEveryProbeOtherwise)
{
    TempDir dir;
    make_test_pki(dir.path());
    const auto expired = dir.path() / "expired";
    std::filesystem::create_directory(expired);
    make_test_pki(expired, "-1");
    const auto port = free_loopback_port();
    const auto expired_port = free_loopback_port();
    const auto prefix = dir.path().string() + "/";
    std::ofstream(dir.path() / "nginx.conf")
        // One process: the test ends nginx with SIGKILL, which would orphan a
        // worker (still listening) if a master ran it.
        << "master_process off;\ndaemon off;\npid " << prefix << "nginx.pid;\nerror_log " << prefix
        << "error.log;\nevents { worker_connections 512; }\nhttp {\n  access_log off;\n"
        << "  client_body_temp_path " << prefix << "body;\n"
        << "  server {\n    listen 127.0.0.1:" << port << " ssl;\n"
        << "    ssl_certificate " << prefix << "server.pem;\n    ssl_certificate_key " << prefix << "server.key;\n"
        << "    location / { return 200 \"ok\\n\"; }\n  }\n"
        << "  server {\n    listen 127.0.0.1:" << expired_port << " ssl;\n"
        << "    ssl_certificate " << prefix << "expired/server.pem;\n"
        << "    ssl_certificate_key " << prefix << "expired/server.key;\n  }\n}\n";
    ChildProcess nginx({"nginx", "-p", prefix, "-e", prefix + "error.log", "-c", prefix + "nginx.conf"});
    const auto listening = [&] { return accepts_connections(port) && accepts_connections(expired_port); };
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!listening() && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(listening()) << "nginx did not start; is it installed (scripts/install-deps)?";

    const auto out = dir.path() / "run";
    const auto result =
        run_command({tlsprobe_binary(), "run", "--target", "localhost:" + std::to_string(port), "--ca-file",
                     (dir.path() / "ca.pem").string(), "--ports", "23000-23199", "--rate", "200", "--alpn",
                     "http/1.1", "--out", out.string()});
    EXPECT_EQ(result.exit_code, 0) << result.err << result.out;
    const auto records = read_probes(out);
    ASSERT_EQ(records.size(), 200U);
    for (const auto& record : records) {
        EXPECT_EQ(record.outcome, prober::Outcome::ok) << record.error;
        EXPECT_EQ(record.http_status, 200);
        EXPECT_EQ(record.alpn, "http/1.1");
        EXPECT_EQ(record.server_cert_sha256.size(), 64U);
    }

    const auto expect_cert_errors = [&](const std::string& name, std::uint16_t target_port, const std::string& ca,
                                        const std::string& ports, const std::vector<std::string>& extra,
                                        const std::string& reason) {
        const auto run_dir = dir.path() / name;
        std::vector<std::string> args{tlsprobe_binary(), "run", "--target",
                                      "localhost:" + std::to_string(target_port), "--ca-file", ca, "--ports", ports,
                                      "--rate", "100", "--out", run_dir.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto failed = run_command(args);
        EXPECT_EQ(failed.exit_code, 1) << name << ": " << failed.err;
        const auto rejected = read_probes(run_dir);
        EXPECT_EQ(rejected.size(), 10U) << name;
        for (const auto& record : rejected) {
            EXPECT_EQ(record.outcome, prober::Outcome::cert_error) << name << " " << record.src_port;
            EXPECT_EQ(record.error, reason) << name << " " << record.src_port;
        }
    };
    // The same server, judged against a CA that did not sign it.
    const auto untrusted = dir.path() / "untrusted";
    std::filesystem::create_directory(untrusted);
    make_test_pki(untrusted);
    expect_cert_errors("untrusted_ca", port, (untrusted / "ca.pem").string(), "23200-23209", {},
                       "unable to get local issuer certificate");
    // The right CA, but a name the certificate does not carry.
    expect_cert_errors("other_name", port, (dir.path() / "ca.pem").string(), "23210-23219",
                       {"--sni", "other.test"}, "hostname mismatch");
    // The right CA, but a certificate that expired a day ago.
    expect_cert_errors("expired", expired_port, (expired / "ca.pem").string(), "23220-23229", {},
                       "certificate has expired");
}

}  // namespace
}  // namespace tlsprobe::testing
