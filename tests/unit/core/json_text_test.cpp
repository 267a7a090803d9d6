#include "core/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

namespace tlsprobe::core {
namespace {

// Files written with JsonText are compared with older files written by
// boost::json::serialize: the same values must give the same bytes.
TEST(JsonText, WritesWhatBoostJsonSerializes)
{
    // Room for a few bytes only, so that the text grows while it is written.
    JsonText out(4);
    out.begin_object();
    out.member("name", "flow");
    out.member("zero", 0);
    out.member("negative", std::int64_t{-42});
    out.member("largest", std::numeric_limits<std::uint64_t>::max());
    out.member("smallest", std::numeric_limits<std::int64_t>::min());
    out.member("byte", std::uint8_t{200});
    out.member("yes", true);
    out.member("no", false);
    out.member("missing", std::optional<std::uint16_t>{});
    out.member("present", std::optional<std::uint16_t>{443});
    out.key("empty_array");
    out.begin_array();
    out.end_array();
    out.key("nested");
    out.begin_array();
    out.begin_object();
    out.member("a", 1);
    out.end_object();
    out.begin_object();
    out.end_object();
    out.value(nullptr);
    out.value("x");
    out.end_array();
    out.member("last", "");
    out.end_object();

    const boost::json::value expected = {
        {"name", "flow"},
        {"zero", 0},
        {"negative", -42},
        {"largest", std::numeric_limits<std::uint64_t>::max()},
        {"smallest", std::numeric_limits<std::int64_t>::min()},
        {"byte", 200},
        {"yes", true},
        {"no", false},
        {"missing", nullptr},
        {"present", 443},
        {"empty_array", boost::json::array{}},
        {"nested", boost::json::array{boost::json::object{{"a", 1}}, boost::json::object{}, nullptr, "x"}},
        {"last", ""}};
    EXPECT_EQ(std::move(out).text(), boost::json::serialize(expected));
}

TEST(JsonText, EscapesEveryByteAsBoostJsonDoes)
{
    // Strings come off the wire (SNI, ALPN): every byte value, in and out of runs.
    std::string all_bytes;
    for (int b = 0; b < 256; ++b) {
        all_bytes.push_back(static_cast<char>(b));
        all_bytes += "ab";
    }
    for (const std::string& s : {all_bytes, std::string("\"\\"), std::string("plain"), std::string()}) {
        JsonText out;
        out.value(s);
        EXPECT_EQ(std::move(out).text(), boost::json::serialize(boost::json::value(s)));
    }
}

}  // namespace
}  // namespace tlsprobe::core
