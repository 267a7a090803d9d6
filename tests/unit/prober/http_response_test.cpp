#include "prober/http_response.hpp"

#include <gtest/gtest.h>

namespace tlsprobe::prober {
namespace {

TEST(HttpResponseProgress, WaitsForHeadersAndContentLengthBody)
{
    EXPECT_FALSE(http_response_progress("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n").headers_complete);
    const auto partial = http_response_progress("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok");
    EXPECT_TRUE(partial.headers_complete);
    EXPECT_FALSE(partial.complete);
    EXPECT_EQ(partial.status, 200);
    const auto done = http_response_progress("HTTP/1.1 503 Busy\r\nContent-Length:  3\r\n\r\nno\n");
    EXPECT_TRUE(done.complete);
    EXPECT_EQ(done.status, 503);
}

TEST(HttpResponseProgress, WithoutContentLengthTheCloseEndsTheBody)
{
    const auto progress = http_response_progress("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nstream...");
    EXPECT_TRUE(progress.headers_complete);
    EXPECT_FALSE(progress.complete);
}

TEST(HttpResponseProgress, GarbageHasNoStatus)
{
    EXPECT_FALSE(http_response_progress("SSH-2.0-OpenSSH\r\n\r\n").status);
}

}  // namespace
}  // namespace tlsprobe::prober
