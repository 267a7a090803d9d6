#pragma once
// Hash models: which bucket a device puts a flow in. Used for the lab's
// ground truth and for predicting buckets in the inference; spec strings
// and their parameters are documented in docs/BUCKETS.md.
#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tlsprobe::results {

// The tuple as the hashing device sees it (server-side when a middlebox
// rewrote it). Addresses of either family; a field's width follows its family.
struct FlowTuple {
    boost::asio::ip::address src;
    std::uint16_t src_port = 0;
    boost::asio::ip::address dst;
    std::uint16_t dst_port = 0;
};

class HashModel {
public:
    virtual ~HashModel() = default;

    // In [offset, offset + bucket_count()).
    [[nodiscard]] virtual std::uint32_t bucket(const FlowTuple& tuple) const = 0;
    [[nodiscard]] virtual std::uint32_t bucket_count() const = 0;
    // The offset: the lowest bucket number.
    [[nodiscard]] virtual std::uint32_t first_bucket() const = 0;
    // Canonical spec string with every parameter spelled out; parse_hash_model
    // of it gives the same model.
    [[nodiscard]] virtual std::string describe() const = 0;
};

// "jhash:seed=0x1234,mod=8[,offset=0]", "crc16:variant=arc,fields=sport,mod=64",
// "crc32:...", "toeplitz:key=HEX,mod=N", "xor:width=16,mod=N". Throws
// core::UsageError naming the model or parameter on an unknown model or parameter,
// a malformed or missing value, or mod 0.
[[nodiscard]] std::unique_ptr<HashModel> parse_hash_model(std::string_view spec);

// Source ports lo..hi (inclusive) grouped by the bucket `model` puts
// `base` with that source port in, ascending within each bucket: the
// material for probing every bucket on purpose.
[[nodiscard]] std::map<std::uint32_t, std::vector<std::uint16_t>> ports_by_bucket(const HashModel& model,
                                                                                 FlowTuple base,
                                                                                 std::uint16_t lo,
                                                                                 std::uint16_t hi);

}  // namespace tlsprobe::results
