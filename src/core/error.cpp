#include "error.hpp"

#include <charconv>
#include <cmath>

namespace error_budget::core {

void fail(ErrorKind kind, const std::string &message) { throw Error(kind, message); }

std::string format_double(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

}  // namespace error_budget::core
