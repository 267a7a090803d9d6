#include "core/jsonl_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/errors.hpp"

namespace tlsprobe::core {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const fs::path& path)
{
    std::vector<std::string> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

fs::path scratch_file(const std::string& name)
{
    return fs::temp_directory_path() / ("tlsprobe-jsonl-" + std::to_string(::getpid()) + "-" + name);
}

TEST(JsonlWriter, AppendsOneLinePerDocumentAfterWhatIsThere)
{
    const auto path = scratch_file("append.jsonl");
    {
        std::ofstream(path) << "{\"earlier\":true}\n";
    }
    {
        JsonlWriter writer(path);
        writer.append(R"({"a":1})");
        writer.append(R"({"b":2})");
        EXPECT_EQ(writer.path(), path);
    }
    EXPECT_EQ(lines_of(path), (std::vector<std::string>{R"({"earlier":true})", R"({"a":1})", R"({"b":2})"}));
    fs::remove(path);
}

TEST(JsonlWriter, LinesFromManyThreadsNeverInterleave)
{
    const auto path = scratch_file("threads.jsonl");
    fs::remove(path);
    constexpr int threads = 8;
    constexpr int per_thread = 500;
    {
        JsonlWriter writer(path);
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&writer, t] {
                // Long lines, so one write(2) carries more than a page.
                const std::string padding(5000, static_cast<char>('a' + t));
                for (int i = 0; i < per_thread; ++i) {
                    writer.append("{\"t\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) + ",\"p\":\"" +
                                  padding + "\"}");
                }
            });
        }
        for (auto& worker : workers) {
            worker.join();
        }
    }
    const auto lines = lines_of(path);
    ASSERT_EQ(lines.size(), static_cast<std::size_t>(threads * per_thread));
    std::set<std::string> seen;
    for (const auto& line : lines) {
        const auto t = line.at(5) - '0';
        const std::string padding(5000, static_cast<char>('a' + t));
        ASSERT_NE(line.find("\"p\":\"" + padding + "\"}"), std::string::npos);
        seen.insert(line.substr(0, line.find(",\"p\"")));
    }
    EXPECT_EQ(seen.size(), lines.size());
    fs::remove(path);
}

TEST(JsonlWriter, FlushPutsEveryAppendedLineInTheFile)
{
    const auto path = scratch_file("flush.jsonl");
    fs::remove(path);
    JsonlWriter writer(path, std::chrono::hours(1));
    writer.append(R"({"a":1})");
    writer.flush();
    EXPECT_EQ(lines_of(path), (std::vector<std::string>{R"({"a":1})"}));
    writer.append(R"({"b":2})");
    writer.close();
    EXPECT_EQ(lines_of(path), (std::vector<std::string>{R"({"a":1})", R"({"b":2})"}));
    writer.append(R"({"c":3})");
    EXPECT_EQ(lines_of(path).size(), 3U) << "after close() a line is written as it comes";
    fs::remove(path);
}

TEST(JsonlWriter, BufferedLinesReachTheFileWithoutAFlushCall)
{
    const auto path = scratch_file("interval.jsonl");
    fs::remove(path);
    JsonlWriter writer(path);
    writer.append(R"({"a":1})");
    // The flusher writes within jsonl_flush_interval; the bound here is far
    // above it so a loaded machine cannot fail the test.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (lines_of(path).empty() && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(lines_of(path), (std::vector<std::string>{R"({"a":1})"}));
    fs::remove(path);
}

TEST(JsonlWriter, ZeroDelayWritesEachLineAsItComes)
{
    const auto path = scratch_file("direct.jsonl");
    fs::remove(path);
    JsonlWriter writer(path, std::chrono::milliseconds(0));
    writer.append(R"({"a":1})");
    EXPECT_EQ(lines_of(path), (std::vector<std::string>{R"({"a":1})"}));
    fs::remove(path);
}

TEST(JsonlWriter, NamesTheFileItCannotOpen)
{
    try {
        const JsonlWriter writer("/nonexistent/dir/probes.jsonl");
        FAIL() << "opened";
    } catch (const EnvironmentError& error) {
        EXPECT_EQ(std::string(error.what()), "cannot open /nonexistent/dir/probes.jsonl for writing: No such file or directory");
    }
}

}  // namespace
}  // namespace tlsprobe::core
