#include "results/hash_model.hpp"

#include "core/errors.hpp"
#include "core/hex.hpp"
#include "results/hash_functions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace tlsprobe::results {

namespace {

enum class TupleField { saddr, sport, daddr, dport };

constexpr std::string_view to_string(TupleField field) {
    switch (field) {
    case TupleField::saddr: return "saddr";
    case TupleField::sport: return "sport";
    case TupleField::daddr: return "daddr";
    case TupleField::dport: return "dport";
    }
    return "?";
}

// Order of the Microsoft RSS input (source address, destination address,
// source port, destination port); the default for the byte-stream models.
constexpr std::array rss_fields{TupleField::saddr, TupleField::daddr, TupleField::sport,
                                TupleField::dport};
// Order of the nftables expression `ip saddr . tcp sport . ip daddr . tcp dport`.
constexpr std::array nft_fields{TupleField::saddr, TupleField::sport, TupleField::daddr,
                                TupleField::dport};

// The spec "name:key=value,..." split once; each parameter must be consumed
// exactly once, so a misspelt or repeated parameter is an error, not ignored.
class SpecReader {
public:
    explicit SpecReader(std::string_view spec) : spec_(spec) {
        const auto colon = spec.find(':');
        model_ = spec.substr(0, colon);
        if (colon == std::string_view::npos) {
            return;
        }
        std::string_view rest = spec.substr(colon + 1);
        while (true) {
            const auto comma = rest.find(',');
            const std::string_view item = rest.substr(0, comma);
            const auto eq = item.find('=');
            if (eq == std::string_view::npos || eq == 0) {
                fail(fmt::format("expected key=value, got '{}'", item));
            }
            const std::string_view key = item.substr(0, eq);
            if (std::ranges::any_of(params_, [key](const auto& p) { return p.first == key; })) {
                fail(fmt::format("parameter '{}' given twice", key));
            }
            params_.emplace_back(key, item.substr(eq + 1));
            if (comma == std::string_view::npos) {
                break;
            }
            rest = rest.substr(comma + 1);
        }
    }

    [[nodiscard]] std::string_view model() const { return model_; }

    [[noreturn]] void fail(std::string_view problem) const {
        throw core::UsageError(fmt::format("hash model '{}': {}", spec_, problem));
    }

    [[nodiscard]] std::optional<std::string_view> take(std::string_view key) {
        const auto it = std::ranges::find_if(params_, [key](const auto& p) { return p.first == key; });
        if (it == params_.end()) {
            return std::nullopt;
        }
        const std::string_view value = it->second;
        params_.erase(it);
        if (value.empty()) {
            fail(fmt::format("parameter '{}' has an empty value", key));
        }
        return value;
    }

    [[nodiscard]] std::string_view require(std::string_view key) {
        const auto value = take(key);
        if (!value) {
            fail(fmt::format("missing parameter '{}'", key));
        }
        return *value;
    }

    [[nodiscard]] std::uint32_t number(std::string_view key, std::string_view text) const {
        std::uint64_t value = 0;
        int base = 10;
        if (text.starts_with("0x") || text.starts_with("0X")) {
            text.remove_prefix(2);
            base = 16;
        }
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
        if (text.empty() || ec != std::errc{} || end != text.data() + text.size() ||
            value > std::numeric_limits<std::uint32_t>::max()) {
            fail(fmt::format("parameter '{}' is not a 32-bit unsigned number", key));
        }
        return static_cast<std::uint32_t>(value);
    }

    // Every parameter left over was not understood by the model.
    void finish() const {
        if (!params_.empty()) {
            fail(fmt::format("unknown parameter '{}' for model '{}'", params_.front().first, model_));
        }
    }

private:
    std::string_view spec_;
    std::string_view model_;
    std::vector<std::pair<std::string_view, std::string_view>> params_;
};

// Bucket range shared by every model: hash reduced to [0, mod), plus offset.
struct BucketRange {
    std::uint32_t mod = 0;
    std::uint32_t offset = 0;

    [[nodiscard]] std::string describe() const { return fmt::format("mod={},offset={}", mod, offset); }
};

BucketRange read_range(SpecReader& reader) {
    BucketRange range;
    range.mod = reader.number("mod", reader.require("mod"));
    if (range.mod == 0) {
        reader.fail("parameter 'mod' must be at least 1");
    }
    if (const auto offset = reader.take("offset")) {
        range.offset = reader.number("offset", *offset);
    }
    if (range.offset > std::numeric_limits<std::uint32_t>::max() - (range.mod - 1)) {
        reader.fail("parameter 'offset' plus 'mod' overflows 32 bits");
    }
    return range;
}

std::vector<TupleField> read_fields(SpecReader& reader, std::span<const TupleField> fallback) {
    const auto text = reader.take("fields");
    if (!text) {
        return {fallback.begin(), fallback.end()};
    }
    std::vector<TupleField> fields;
    std::string_view rest = *text;
    while (true) {
        const auto dot = rest.find('.');
        const std::string_view name = rest.substr(0, dot);
        constexpr std::array all{TupleField::saddr, TupleField::sport, TupleField::daddr,
                                 TupleField::dport};
        const auto it = std::ranges::find_if(all, [name](TupleField f) { return to_string(f) == name; });
        if (it == all.end()) {
            reader.fail(fmt::format("parameter 'fields': unknown field '{}' (known: saddr, sport, daddr, dport)",
                                    name));
        }
        fields.push_back(*it);
        if (dot == std::string_view::npos) {
            break;
        }
        rest = rest.substr(dot + 1);
    }
    return fields;
}

std::string describe_fields(std::span<const TupleField> fields) {
    std::string out;
    for (const TupleField field : fields) {
        if (!out.empty()) {
            out += '.';
        }
        out += to_string(field);
    }
    return out;
}

void append_address(std::vector<std::uint8_t>& out, const boost::asio::ip::address& address) {
    if (address.is_v6()) {
        const auto bytes = address.to_v6().to_bytes();
        out.insert(out.end(), bytes.begin(), bytes.end());
    } else {
        const auto bytes = address.to_v4().to_bytes();
        out.insert(out.end(), bytes.begin(), bytes.end());
    }
}

// The fields in network byte order; with `register_padding`, each field
// starts on a 4-byte boundary and the gap is zero, as nftables lays out a
// concatenation in its registers (nft_payload zeroes a register's tail).
std::vector<std::uint8_t> tuple_bytes(const FlowTuple& tuple, std::span<const TupleField> fields,
                                      bool register_padding) {
    std::vector<std::uint8_t> out;
    for (const TupleField field : fields) {
        switch (field) {
        case TupleField::saddr: append_address(out, tuple.src); break;
        case TupleField::daddr: append_address(out, tuple.dst); break;
        case TupleField::sport:
        case TupleField::dport: {
            const std::uint16_t port = field == TupleField::sport ? tuple.src_port : tuple.dst_port;
            out.push_back(static_cast<std::uint8_t>(port >> 8U));
            out.push_back(static_cast<std::uint8_t>(port & 0xffU));
            break;
        }
        }
        if (register_padding) {
            out.resize((out.size() + 3U) / 4U * 4U, 0);
        }
    }
    return out;
}

// nft_hash.c: reciprocal_scale(jhash(regs, len, seed), modulus) + offset.
class JhashModel final : public HashModel {
public:
    JhashModel(std::uint32_t seed, std::vector<TupleField> fields, BucketRange range)
        : seed_(seed), fields_(std::move(fields)), range_(range) {}

    [[nodiscard]] std::uint32_t bucket(const FlowTuple& tuple) const override {
        // A lone field is hashed at its own length (`jhash tcp sport` hashes
        // 2 bytes); only a concatenation is padded to register boundaries.
        const auto bytes = tuple_bytes(tuple, fields_, fields_.size() > 1);
        return reciprocal_scale(linux_jhash(bytes, seed_), range_.mod) + range_.offset;
    }
    [[nodiscard]] std::uint32_t bucket_count() const override { return range_.mod; }
    [[nodiscard]] std::uint32_t first_bucket() const override { return range_.offset; }
    [[nodiscard]] std::string describe() const override {
        return fmt::format("jhash:seed={:#x},fields={},{}", seed_, describe_fields(fields_), range_.describe());
    }

private:
    std::uint32_t seed_;
    std::vector<TupleField> fields_;
    BucketRange range_;
};

// The byte-stream models: a hash of the unpadded fields, then hash % mod + offset
// (for a power-of-two mod, the low bits, as switch ASICs and RSS tables index).
class ByteHashModel : public HashModel {
public:
    ByteHashModel(std::vector<TupleField> fields, BucketRange range)
        : fields_(std::move(fields)), range_(range) {}

    [[nodiscard]] std::uint32_t bucket(const FlowTuple& tuple) const final {
        return hash(tuple_bytes(tuple, fields_, false)) % range_.mod + range_.offset;
    }
    [[nodiscard]] std::uint32_t bucket_count() const final { return range_.mod; }
    [[nodiscard]] std::uint32_t first_bucket() const final { return range_.offset; }
    [[nodiscard]] std::string describe() const final {
        return fmt::format("{},fields={},{}", describe_own(), describe_fields(fields_), range_.describe());
    }

protected:
    [[nodiscard]] virtual std::uint32_t hash(std::span<const std::uint8_t> bytes) const = 0;
    // "name:own-parameters", without fields, mod and offset.
    [[nodiscard]] virtual std::string describe_own() const = 0;

private:
    std::vector<TupleField> fields_;
    BucketRange range_;
};

class CrcModel final : public ByteHashModel {
public:
    CrcModel(const CrcVariant& variant, std::vector<TupleField> fields, BucketRange range)
        : ByteHashModel(std::move(fields), range), variant_(variant) {}

protected:
    [[nodiscard]] std::uint32_t hash(std::span<const std::uint8_t> bytes) const override {
        return crc(variant_, bytes);
    }
    [[nodiscard]] std::string describe_own() const override {
        return fmt::format("crc{}:variant={}", variant_.width, variant_.name);
    }

private:
    CrcVariant variant_;
};

class ToeplitzModel final : public ByteHashModel {
public:
    ToeplitzModel(std::vector<std::uint8_t> key, std::vector<TupleField> fields, BucketRange range)
        : ByteHashModel(std::move(fields), range), key_(std::move(key)) {}

protected:
    [[nodiscard]] std::uint32_t hash(std::span<const std::uint8_t> bytes) const override {
        return toeplitz_hash(key_, bytes);
    }
    [[nodiscard]] std::string describe_own() const override {
        return "toeplitz:key=" + core::to_hex(key_);
    }

private:
    std::vector<std::uint8_t> key_;
};

class XorModel final : public ByteHashModel {
public:
    XorModel(unsigned width, std::vector<TupleField> fields, BucketRange range)
        : ByteHashModel(std::move(fields), range), width_(width) {}

protected:
    [[nodiscard]] std::uint32_t hash(std::span<const std::uint8_t> bytes) const override {
        return xor_fold(bytes, width_);
    }
    [[nodiscard]] std::string describe_own() const override { return fmt::format("xor:width={}", width_); }

private:
    unsigned width_;
};

std::unique_ptr<HashModel> parse_crc(SpecReader& reader, unsigned width) {
    const auto variants = crc_variants(width);
    const std::string_view name = reader.take("variant").value_or(variants.front().name);
    const auto it = std::ranges::find_if(variants, [name](const CrcVariant& v) { return v.name == name; });
    if (it == variants.end()) {
        std::string known;
        for (const auto& v : variants) {
            known += known.empty() ? "" : ", ";
            known += v.name;
        }
        reader.fail(fmt::format("parameter 'variant': unknown crc{} variant '{}' (known: {})", width, name, known));
    }
    auto fields = read_fields(reader, rss_fields);
    const auto range = read_range(reader);
    return std::make_unique<CrcModel>(*it, std::move(fields), range);
}

std::vector<std::uint8_t> read_key(SpecReader& reader) {
    const auto text = reader.take("key");
    if (!text) {
        const auto standard = rss_standard_key();
        return {standard.begin(), standard.end()};
    }
    std::string_view hex = *text;
    if (hex.starts_with("0x")) {
        hex.remove_prefix(2);
    }
    if (hex.size() % 2 != 0 || hex.size() < 8) {
        reader.fail("parameter 'key' must be an even number of hex digits, at least 4 bytes");
    }
    std::vector<std::uint8_t> key;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        std::uint8_t byte = 0;
        const auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, byte, 16);
        if (ec != std::errc{} || end != hex.data() + i + 2) {
            reader.fail("parameter 'key' is not hexadecimal");
        }
        key.push_back(byte);
    }
    return key;
}

}  // namespace

std::unique_ptr<HashModel> parse_hash_model(std::string_view spec) {
    SpecReader reader(spec);
    std::unique_ptr<HashModel> model;
    if (reader.model() == "jhash") {
        const std::uint32_t seed = reader.number("seed", reader.require("seed"));
        auto fields = read_fields(reader, nft_fields);
        model = std::make_unique<JhashModel>(seed, std::move(fields), read_range(reader));
    } else if (reader.model() == "crc16") {
        model = parse_crc(reader, 16);
    } else if (reader.model() == "crc32") {
        model = parse_crc(reader, 32);
    } else if (reader.model() == "toeplitz") {
        auto key = read_key(reader);
        auto fields = read_fields(reader, rss_fields);
        model = std::make_unique<ToeplitzModel>(std::move(key), std::move(fields), read_range(reader));
    } else if (reader.model() == "xor") {
        unsigned width = 16;
        if (const auto text = reader.take("width")) {
            width = reader.number("width", *text);
            if (width != 8 && width != 16 && width != 32) {
                reader.fail("parameter 'width' must be 8, 16 or 32");
            }
        }
        auto fields = read_fields(reader, rss_fields);
        model = std::make_unique<XorModel>(width, std::move(fields), read_range(reader));
    } else {
        reader.fail(fmt::format("unknown model '{}' (known: jhash, crc16, crc32, toeplitz, xor)", reader.model()));
    }
    reader.finish();
    return model;
}

std::map<std::uint32_t, std::vector<std::uint16_t>> ports_by_bucket(const HashModel& model, FlowTuple base,
                                                                   std::uint16_t lo, std::uint16_t hi) {
    std::map<std::uint32_t, std::vector<std::uint16_t>> groups;
    for (std::uint32_t port = lo; port <= hi; ++port) {
        base.src_port = static_cast<std::uint16_t>(port);
        groups[model.bucket(base)].push_back(base.src_port);
    }
    return groups;
}

}  // namespace tlsprobe::results
