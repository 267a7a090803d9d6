#include "core/jsonl_reader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/errors.hpp"

namespace tlsprobe::core {
namespace {

class JsonlReader : public ::testing::Test {
protected:
    JsonlReader()
        : path_(std::filesystem::temp_directory_path() /
                ("jsonl_reader_test." + std::to_string(::getpid()) + ".jsonl"))
    {
    }
    ~JsonlReader() override { std::filesystem::remove(path_); }

    void write(const std::string& text) const { std::ofstream(path_, std::ios::binary) << text; }

    // The "id" of every record handed over, with its line number.
    JsonlReadResult read(std::vector<std::pair<std::int64_t, std::uint64_t>>& seen) const
    {
        return read_jsonl(path_, [&seen](const boost::json::object& object, std::uint64_t line) {
            seen.emplace_back(object.at("id").as_int64(), line);
        });
    }

    std::filesystem::path path_;
};

TEST_F(JsonlReader, HandsOverEveryLineWithItsNumberAndSkipsBlankLines)
{
    write("{\"id\":1}\n\n{\"id\":2}\n  \n{\"id\":3}\n");
    std::vector<std::pair<std::int64_t, std::uint64_t>> seen;
    const auto result = read(seen);
    EXPECT_EQ(result.records, 3U);
    EXPECT_FALSE(result.cut_line);
    const std::vector<std::pair<std::int64_t, std::uint64_t>> expected{{1, 1}, {2, 3}, {3, 5}};
    EXPECT_EQ(seen, expected);
}

TEST_F(JsonlReader, ACutLastLineIsReportedNotThrown)
{
    write("{\"id\":1}\n{\"id\":2}\n{\"id\":3,\"outco");
    std::vector<std::pair<std::int64_t, std::uint64_t>> seen;
    const auto result = read(seen);
    EXPECT_EQ(result.records, 2U);
    ASSERT_TRUE(result.cut_line);
    EXPECT_EQ(*result.cut_line, 3U);
    EXPECT_EQ(seen.size(), 2U);
}

TEST_F(JsonlReader, ACompleteLastLineWithoutNewlineIsARecord)
{
    write("{\"id\":1}\n{\"id\":2}");
    std::vector<std::pair<std::int64_t, std::uint64_t>> seen;
    const auto result = read(seen);
    EXPECT_EQ(result.records, 2U);
    EXPECT_FALSE(result.cut_line);
}

TEST_F(JsonlReader, ABadLineInTheMiddleNamesFileAndLine)
{
    write("{\"id\":1}\n{\"id\":\n{\"id\":3}\n");
    std::vector<std::pair<std::int64_t, std::uint64_t>> seen;
    try {
        (void)read(seen);
        FAIL() << "no error";
    } catch (const InputError& error) {
        EXPECT_NE(std::string(error.what()).find(path_.string() + ":2: not JSON"), std::string::npos)
            << error.what();
    }
}

TEST_F(JsonlReader, ABadLastLineWithItsNewlineIsAnErrorNotACut)
{
    write("{\"id\":1}\n[1,2]\n");
    std::vector<std::pair<std::int64_t, std::uint64_t>> seen;
    try {
        (void)read(seen);
        FAIL() << "no error";
    } catch (const InputError& error) {
        EXPECT_NE(std::string(error.what()).find(path_.string() + ":2: not a JSON object"), std::string::npos)
            << error.what();
    }
}

TEST_F(JsonlReader, AHandlersInputErrorGetsFileAndLine)
{
    write("{\"id\":1}\n{\"name\":2}\n");
    try {
        (void)read_jsonl(path_, [](const boost::json::object& object, std::uint64_t) {
            if (!object.contains("id")) {
                throw InputError("missing field id");
            }
        });
        FAIL() << "no error";
    } catch (const InputError& error) {
        EXPECT_EQ(std::string(error.what()), path_.string() + ":2: missing field id");
    }
}

TEST_F(JsonlReader, AMissingFileIsAnInputError)
{
    EXPECT_THROW((void)read_jsonl(path_ / "nope", [](const boost::json::object&, std::uint64_t) {}), InputError);
}

}  // namespace
}  // namespace tlsprobe::core
