#include "budget_scope.hpp"

namespace error_budget::core {

namespace {

bool is_plain_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == ':' || c == '/' || c == '@' || c == '+' || c == '-';
}

bool is_word_null(std::string_view value) {
    if (value.size() != 4) return false;
    const char *word = "NULL";
    for (std::size_t i = 0; i < 4; ++i) {
        const char c = value[i];
        if ((c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c) != word[i]) return false;
    }
    return true;
}

bool is_plain(std::string_view value) {
    if (value.empty() || is_word_null(value)) return false;
    for (const char c : value)
        if (!is_plain_char(c)) return false;
    return true;
}

bool left_out(const ScopeDimension &dimension) {
    return dimension.name == "vertical" && dimension.value && *dimension.value != "*";
}

}  // namespace

std::string scope_value(std::optional<std::string_view> value) {
    if (!value) return "NULL";
    if (is_plain(*value)) return std::string(*value);
    std::string quoted = "\"";
    for (const char c : *value) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

std::string budget_scope(const std::vector<ScopeDimension> &dimensions) {
    std::string scope;
    for (const ScopeDimension &dimension : dimensions) {
        if (left_out(dimension)) continue;
        if (!scope.empty()) scope += ' ';
        scope += dimension.name;
        scope += '=';
        scope += scope_value(dimension.value);
    }
    return scope;
}

std::size_t budget_scope_bound(const std::vector<ScopeDimension> &dimensions) {
    std::size_t bound = 1;
    for (const ScopeDimension &dimension : dimensions)
        bound += dimension.name.size() + 2 + 2 * (dimension.value ? dimension.value->size() : 4) + 2;
    return bound;
}

}  // namespace error_budget::core
