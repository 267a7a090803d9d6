#pragma once
// JSON text written straight into a string, for records written by the
// thousand: no document tree is built, and nothing is allocated but the
// string, which grows by doubling. The text is what boost::json::serialize
// writes for the same values in the same order (no spaces; `"`, `\` and
// control characters escaped as it does; other bytes as they are).
#include <algorithm>
#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/hex.hpp"

namespace tlsprobe::core {

class JsonText {
public:
    // `expected_bytes`: room made at the start, so that a typical record never grows.
    explicit JsonText(std::size_t expected_bytes = 256) : out_(expected_bytes, '\0') {}

    // The text written; the writer is spent.
    [[nodiscard]] std::string text() &&
    {
        out_.resize(used_);
        return std::move(out_);
    }

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }

    // A member's name; its value comes next. Names are the caller's own
    // literals, written as they are: they must need no escaping.
    void key(std::string_view name)
    {
        // One reservation for `,"name":`.
        char* at = room(name.size() + 4);
        char* const start = at;
        if (separate_next_) {
            *at++ = ',';
        }
        *at++ = '"';
        std::memcpy(at, name.data(), name.size());
        at += name.size();
        *at++ = '"';
        *at++ = ':';
        used_ += static_cast<std::size_t>(at - start);
        separate_next_ = false;
    }

    void value(std::string_view text)
    {
        separate();
        append_string(text);
    }
    void value(const char* text) { value(std::string_view(text)); }
    void value(bool b)
    {
        separate();
        append(b ? std::string_view("true") : std::string_view("false"));
    }
    void value(std::nullptr_t)
    {
        separate();
        append("null");
    }
    template <std::integral T>
        requires(!std::same_as<T, bool>)
    void value(T number)
    {
        separate();
        // 20 characters hold every 64-bit integer, sign included.
        constexpr std::size_t longest = 20;
        char* at = room(longest);
        used_ += static_cast<std::size_t>(std::to_chars(at, at + longest, number).ptr - at);
    }
    template <typename T>
    void value(const std::optional<T>& v)
    {
        if (v) {
            value(*v);
        } else {
            value(nullptr);
        }
    }

    template <typename T>
    void member(std::string_view name, const T& v)
    {
        key(name);
        value(v);
    }

private:
    void separate()
    {
        if (separate_next_) {
            push(',');
        }
        separate_next_ = true;
    }
    void open(char bracket)
    {
        separate();
        push(bracket);
        separate_next_ = false;
    }
    void close(char bracket)
    {
        push(bracket);
        separate_next_ = true;
    }

    // Where the next `n` bytes go; the string grows (doubling) when it has no room for them.
    char* room(std::size_t n)
    {
        if (out_.size() - used_ < n) {
            out_.resize(std::max(out_.size() * 2, used_ + n));
        }
        return out_.data() + used_;
    }
    void push(char c)
    {
        *room(1) = c;
        ++used_;
    }
    void append(std::string_view text)
    {
        if (text.empty()) {
            return;
        }
        std::memcpy(room(text.size()), text.data(), text.size());
        used_ += text.size();
    }

    void append_string(std::string_view text)
    {
        push('"');
        std::size_t plain_from = 0;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            const unsigned byte = static_cast<unsigned char>(c);
            if (byte >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            append(text.substr(plain_from, i - plain_from));
            plain_from = i + 1;
            push('\\');
            switch (c) {
            case '"': push('"'); break;
            case '\\': push('\\'); break;
            case '\b': push('b'); break;
            case '\t': push('t'); break;
            case '\n': push('n'); break;
            case '\f': push('f'); break;
            case '\r': push('r'); break;
            default:
                append("u00");
                push(hex_digits[byte >> 4U]);
                push(hex_digits[byte & 0x0fU]);
            }
        }
        append(text.substr(plain_from));
        push('"');
    }

    std::string out_;
    std::size_t used_ = 0;
    bool separate_next_ = false;
};

}  // namespace tlsprobe::core
