// Reading the text form of the extension's types: "key=value key=value ...", keys in
// a fixed order, values without spaces. Every failure is InvalidTextRepresentation
// naming the type, the text and the form it expects.
#pragma once

#include <charconv>
#include <string>
#include <string_view>

#include "error.hpp"

namespace error_budget::core {

class KeyValueText {
public:
    KeyValueText(std::string_view text, std::string_view type_name, std::string_view expected)
        : text_(text), rest_(text), type_name_(type_name), expected_(expected) {}

    // The value after "key=", up to the next space.
    std::string_view token(std::string_view key) {
        skip_spaces();
        if (rest_.substr(0, key.size()) != key || rest_.substr(key.size(), 1) != "=") bad_text();
        rest_.remove_prefix(key.size() + 1);
        size_t end = 0;
        while (end < rest_.size() && !is_space(rest_[end])) ++end;
        std::string_view value = rest_.substr(0, end);
        rest_.remove_prefix(end);
        return value;
    }

    template <typename Number>
    Number number(std::string_view key) {
        return parse<Number>(token(key));
    }

    // A whole token as a number.
    template <typename Number>
    Number parse(std::string_view token) const {
        Number value{};
        auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
        if (error != std::errc() || end != token.data() + token.size() || token.empty()) bad_text();
        return value;
    }

    void finish() {
        skip_spaces();
        if (!rest_.empty()) bad_text();
    }

    [[noreturn]] void bad_text() const {
        fail(ErrorKind::InvalidTextRepresentation, "invalid input syntax for type " + std::string(type_name_) +
                                                       ": \"" + std::string(text_.substr(0, 200)) +
                                                       (text_.size() > 200 ? "..." : "") + "\" (expected \"" +
                                                       std::string(expected_) + "\")");
    }

private:
    static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }
    void skip_spaces() {
        while (!rest_.empty() && is_space(rest_.front())) rest_.remove_prefix(1);
    }

    std::string_view text_, rest_, type_name_, expected_;
};

}  // namespace error_budget::core
