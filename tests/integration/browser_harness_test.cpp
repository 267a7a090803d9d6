// The browser harness (tests/support/browser_page.hpp) against pages whose
// faults are known: it must report each one, and nothing on a clean page.
// The reports' own browser tests rely on it failing when a page is broken.
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "browser_page.hpp"
#include "core/file_descriptor.hpp"
#include "temp_dir.hpp"

namespace tlsprobe::testing {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

// The policy a self-contained report declares: nothing from anywhere, inline
// style and script, images only as data: URLs.
constexpr const char* report_csp =
    R"(<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">)";

class BrowserHarness : public ::testing::Test {
protected:
    fs::path page(const std::string& name, const std::string& head, const std::string& body)
    {
        const auto path = dir_.path() / name;
        std::ofstream(path) << "<!doctype html>\n<html><head><meta charset=\"utf-8\">" << head << "<title>" << name
                            << "</title></head>\n<body>" << body << "</body></html>\n";
        return path;
    }

    PageCheck check(const fs::path& html, const std::vector<std::pair<std::string, std::string>>& evals = {})
    {
        return check_page_in_chromium(html, dir_.path() / (html.stem().string() + ".png"), evals);
    }

    TempDir dir_;
};

// A TCP server on a free loopback port that counts the connections it
// accepts and closes each at once, so that a request that got through fails
// fast instead of waiting for an answer.
class CountingServer {
public:
    CountingServer() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))
    {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof address;
        if (!fd_ || ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), size) != 0 ||
            ::listen(fd_.get(), 16) != 0 ||
            ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
            throw std::runtime_error("cannot listen on loopback");
        }
        port_ = ntohs(address.sin_port);
        accepter_ = std::thread([this] {
            while (const core::FileDescriptor client{::accept(fd_.get(), nullptr, nullptr)}) {
                ++connections_;
            }
        });
    }
    CountingServer(const CountingServer&) = delete;
    CountingServer& operator=(const CountingServer&) = delete;
    ~CountingServer()
    {
        ::shutdown(fd_.get(), SHUT_RDWR);
        accepter_.join();
    }

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] int connections() const { return connections_; }

private:
    core::FileDescriptor fd_;
    std::uint16_t port_ = 0;
    std::atomic<int> connections_{0};
    std::thread accepter_;
};

TEST_F(BrowserHarness, ACleanSelfContainedPageHasNothingToReport)
{
    TLSPROBE_REQUIRE_BROWSER();
    const auto html = page("clean.html", std::string(report_csp) + "<style>svg { border: 1px solid #333; }</style>",
                           R"(<h1>clean</h1>
<svg width="120" height="40" viewBox="0 0 120 40"><rect width="80" height="40" fill="teal"/></svg>
<script>document.body.dataset.ready = "yes";</script>)");

    const auto found = check(html, {{"svg_count", "document.querySelectorAll('svg').length"},
                                    {"ready", "document.body.dataset.ready"}});

    EXPECT_EQ(found.console_errors, Strings{});
    EXPECT_EQ(found.console_warnings, Strings{});
    EXPECT_EQ(found.page_errors, Strings{});
    EXPECT_EQ(found.requests, Strings{});
    EXPECT_EQ(found.csp_violations, Strings{});
    EXPECT_EQ(found.evals.at("svg_count"), 1);
    EXPECT_EQ(found.evals.at("ready"), "yes");
    ASSERT_TRUE(fs::exists(found.screenshot));
    std::string signature(8, '\0');
    std::ifstream(found.screenshot, std::ios::binary).read(signature.data(), 8);
    EXPECT_EQ(signature, "\x89PNG\r\n\x1a\n");
}

TEST_F(BrowserHarness, AConsoleErrorAndAnUncaughtExceptionAreReported)
{
    TLSPROBE_REQUIRE_BROWSER();
    const auto html = page("broken.html", report_csp,
                           R"(<script>console.warn("w"); console.error("x"); throw new Error("boom");</script>)");

    const auto found = check(html);

    EXPECT_EQ(found.console_errors, (Strings{"x"}));
    EXPECT_EQ(found.console_warnings, (Strings{"w"}));
    EXPECT_EQ(found.page_errors, (Strings{"Error: boom"}));
    EXPECT_EQ(found.requests, Strings{});
}

TEST_F(BrowserHarness, RequestsWithoutACspAreReportedAndAborted)
{
    TLSPROBE_REQUIRE_BROWSER();
    const auto html = page("leaky.html", "", R"(<img src="http://198.18.0.1/x.png">
<script>window.fetched = fetch('http://127.0.0.1:9/').then(() => 'loaded', () => 'failed');</script>)");

    const auto found = check(html, {{"fetch", "window.fetched"},
                                    {"image_loaded", "document.images[0].naturalWidth > 0"}});

    EXPECT_EQ(found.requests, (Strings{"http://127.0.0.1:9/", "http://198.18.0.1/x.png"}));
    // Failed by the harness's abort, not by the network.
    ASSERT_EQ(found.console_errors.size(), 2U);
    for (const auto& error : found.console_errors) {
        EXPECT_NE(error.find("net::ERR_BLOCKED_BY_CLIENT"), std::string::npos) << error;
    }
    EXPECT_EQ(found.evals.at("fetch"), "failed");
    EXPECT_EQ(found.evals.at("image_loaded"), false);
    EXPECT_EQ(found.csp_violations, Strings{});
}

TEST_F(BrowserHarness, AnAbortedRequestNeverReachesTheServer)
{
    TLSPROBE_REQUIRE_BROWSER();
    const CountingServer server;
    const auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
    const auto html = page("server.html", "", "<img src=\"" + url + "i.png\"><script>window.fetched = fetch('" + url +
                                                  "f').then(() => 'loaded', () => 'failed');</script>");

    // The fetch has settled, whichever way, once its value is known.
    const auto found = check(html, {{"fetch", "window.fetched"}});

    EXPECT_EQ(found.requests, (Strings{url + "f", url + "i.png"}));
    EXPECT_EQ(found.evals.at("fetch"), "failed");
    EXPECT_EQ(server.connections(), 0);
}

TEST_F(BrowserHarness, ACspViolationIsReported)
{
    TLSPROBE_REQUIRE_BROWSER();
    const auto html = page("blocked.html", report_csp, R"(<img src="http://198.18.0.1/x.png">)");

    const auto found = check(html);

    EXPECT_EQ(found.csp_violations, (Strings{"img-src http://198.18.0.1/x.png"}));
    // The policy stopped it before it became a request.
    EXPECT_EQ(found.requests, Strings{});
    ASSERT_EQ(found.console_errors.size(), 1U);
    EXPECT_NE(found.console_errors[0].find("Content Security Policy"), std::string::npos) << found.console_errors[0];
}

TEST_F(BrowserHarness, AnExpressionThatThrowsFailsTheCheck)
{
    TLSPROBE_REQUIRE_BROWSER();
    const auto html = page("plain.html", report_csp, "<p>plain</p>");

    try {
        (void)check(html, {{"missing", "window.no_such_object.field"}});
        FAIL() << "no exception";
    } catch (const BrowserMissing& error) {
        FAIL() << error.what();
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("--eval missing threw"), std::string::npos) << error.what();
    }
}

// Without Chromium a check is an error, never a page with nothing to report.
TEST_F(BrowserHarness, AMissingChromiumIsAnErrorNotACleanPage)
{
    TLSPROBE_REQUIRE_BROWSER();
    const auto html = page("plain.html", report_csp, "<p>plain</p>");
    const char* chromium = std::getenv("CHROMIUM");
    const std::optional<std::string> saved = chromium != nullptr ? std::optional<std::string>(chromium) : std::nullopt;
    ::setenv("CHROMIUM", (dir_.path() / "no-chromium").c_str(), 1);

    EXPECT_THROW((void)check(html), BrowserMissing);

    if (saved) {
        ::setenv("CHROMIUM", saved->c_str(), 1);
    } else {
        ::unsetenv("CHROMIUM");
    }
}

}  // namespace
}  // namespace tlsprobe::testing
