#include "budget.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "error.hpp"
#include "key_value_text.hpp"

namespace error_budget::core {

namespace {

std::string slo_range_message(const std::string &got) {
    return "slo must be between 0 and 1 (exclusive), got " + got;
}

// good + bad must fit in int64 so that the total is always representable.
bool counts_fit(int64_t good, int64_t bad) {
    return good >= 0 && bad >= 0 && good <= std::numeric_limits<int64_t>::max() - bad;
}

double ratio_of(double part, double total) { return part / total; }

}  // namespace

void fail_null_slo() { fail(ErrorKind::InvalidParameter, slo_range_message("NULL")); }

void fail_slo_mismatch(double group_slo, double row_slo) {
    validate_slo(row_slo);  // a NaN or out-of-range slo gets the more precise message
    fail(ErrorKind::InvalidParameter,
         "slo must be the same for every row of a group, got " + format_double(group_slo) +
             " and " + format_double(row_slo));
}

void fail_weight(double weight) {
    fail(ErrorKind::InvalidParameter,
         "weight must be a finite number >= 0, got " + format_double(weight));
}

void fail_remove_from_empty() {
    fail(ErrorKind::InvalidParameter, "cannot remove an event from a budget state that has none");
}

void fail_weight_sum() {
    fail(ErrorKind::NumericOutOfRange, "sum of budget weights out of range (overflows double precision)");
}

void validate_slo(double slo) {
    if (!(slo > 0.0 && slo < 1.0)) fail(ErrorKind::InvalidParameter, slo_range_message(format_double(slo)));
}

void merge_budgets(BudgetState &into, const BudgetState &from) {
    require_same_slo(into, from.slo);
    int64_t good = 0, bad = 0;
    if (__builtin_add_overflow(into.good, from.good, &good) ||
        __builtin_add_overflow(into.bad, from.bad, &bad) || !counts_fit(good, bad))
        fail(ErrorKind::NumericOutOfRange, "budget event count out of range (more than 2^63 - 1 events)");
    const double good_weight = into.good_weight + from.good_weight, bad_weight = into.bad_weight + from.bad_weight;
    if (!std::isfinite(good_weight) || !std::isfinite(bad_weight)) fail_weight_sum();
    into.good = good;
    into.bad = bad;
    into.good_weight = good_weight;
    into.bad_weight = bad_weight;
}

std::optional<double> burn_rate(const BudgetState &state) {
    const int64_t total = state.good + state.bad;
    if (total == 0) return std::nullopt;
    return ratio_of(static_cast<double>(state.bad), static_cast<double>(total)) / (1.0 - state.slo);
}

std::optional<double> budget_remaining(const BudgetState &state) {
    const int64_t total = state.good + state.bad;
    if (total == 0) return std::nullopt;
    return (ratio_of(static_cast<double>(state.good), static_cast<double>(total)) - state.slo) /
           (1.0 - state.slo);
}

namespace {
// Total weight, or nullopt when it is 0. Sums of finite weights can still
// overflow to infinity; that is an error, not a silently wrong number.
std::optional<double> total_weight(const BudgetState &state) {
    const double total = state.good_weight + state.bad_weight;
    if (!std::isfinite(total))
        fail(ErrorKind::NumericOutOfRange, "sum of budget weights out of range (overflows double precision)");
    if (total == 0.0) return std::nullopt;
    return total;
}
}  // namespace

std::optional<double> weighted_burn_rate(const BudgetState &state) {
    auto total = total_weight(state);
    if (!total) return std::nullopt;
    return ratio_of(state.bad_weight, *total) / (1.0 - state.slo);
}

std::optional<double> weighted_budget_remaining(const BudgetState &state) {
    auto total = total_weight(state);
    if (!total) return std::nullopt;
    return (ratio_of(state.good_weight, *total) - state.slo) / (1.0 - state.slo);
}

// ---- text form ---------------------------------------------------------------

std::string budget_state_to_text(const BudgetState &state) {
    return "slo=" + format_double(state.slo) + " good=" + std::to_string(state.good) +
           " bad=" + std::to_string(state.bad) + " good_weight=" + format_double(state.good_weight) +
           " bad_weight=" + format_double(state.bad_weight);
}

BudgetState budget_state_from_text(std::string_view text) {
    KeyValueText parser(text, "budget_state",
                        "slo=<0..1> good=<count> bad=<count> good_weight=<sum> bad_weight=<sum>");
    BudgetState state{};
    state.slo = parser.number<double>("slo");
    state.good = parser.number<int64_t>("good");
    state.bad = parser.number<int64_t>("bad");
    state.good_weight = parser.number<double>("good_weight");
    state.bad_weight = parser.number<double>("bad_weight");
    parser.finish();
    validate_budget_state(state);
    return state;
}

void validate_budget_state(const BudgetState &state) {
    validate_slo(state.slo);
    if (!counts_fit(state.good, state.bad))
        fail(ErrorKind::NumericOutOfRange,
             "budget_state counts must be >= 0 and sum to at most 2^63 - 1, got good=" +
                 std::to_string(state.good) + " bad=" + std::to_string(state.bad));
    if (!(state.good_weight >= 0.0 && std::isfinite(state.good_weight))) fail_weight(state.good_weight);
    if (!(state.bad_weight >= 0.0 && std::isfinite(state.bad_weight))) fail_weight(state.bad_weight);
}

}  // namespace error_budget::core
