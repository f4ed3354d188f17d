// Errors raised by the pure C++ core.
//
// The core knows nothing of PostgreSQL, so it cannot name SQLSTATEs; it names the
// *kind* of problem instead and the glue (src/pg/boundary.cpp) maps each kind to
// its SQLSTATE. Every message names the bad value and the allowed range.
#pragma once

#include <stdexcept>
#include <string>

namespace error_budget::core {

enum class ErrorKind {
    InvalidParameter,      // an argument outside its domain (SQLSTATE 22023)
    NumericOutOfRange,     // a count or sum that no longer fits (SQLSTATE 22003)
    InvalidTextRepresentation,  // unparsable text input of a type (SQLSTATE 22P02)
    DuplicateKey,          // a time series key that occurs twice (SQLSTATE 21000)
    InvalidSeries,         // too few points, or irregular spacing (SQLSTATE 22000)
    LimitExceeded,         // more data than the extension can hold (SQLSTATE 54000)
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string &message)
        : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

// Cold path helper: builds and throws an Error. Kept out of line so that the
// hot aggregate code that calls it stays small.
[[noreturn]] void fail(ErrorKind kind, const std::string &message);

// Shortest text that reads back as the same double ("1.5", "0.1"; "NaN", "Infinity",
// "-Infinity" as PostgreSQL spells them).
std::string format_double(double value);

}  // namespace error_budget::core
