// A budget's scope: the one-to-one text form of its dimension values other than
// vertical, e.g. tenant=acme region="eu west" (the scope column of error_budgets,
// part of a budget's identity with vertical and name).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace error_budget::core {

struct ScopeDimension {
    std::string_view name;
    std::optional<std::string_view> value;  // nullopt: SQL NULL
};

// One value as written in a scope: bare when it is plain (letters, digits,
// _ . : / @ + -, and not the word NULL in any case), NULL for SQL NULL, otherwise
// double-quoted with " and \ escaped, so that no two values print alike.
std::string scope_value(std::optional<std::string_view> value);

// The dimensions in the SLO's order as `name=value` joined by spaces; vertical is
// left out (it has its own column) unless its value is NULL or '*', which the
// vertical column cannot tell from "no vertical dimension".
std::string budget_scope(const std::vector<ScopeDimension> &dimensions);

// An upper bound of budget_scope's length (for the caller's buffer).
std::size_t budget_scope_bound(const std::vector<ScopeDimension> &dimensions);

}  // namespace error_budget::core
