// Ratio error-budget math: the state behind burn_rate() and budget_remaining().
//
// One state per group, O(1) in size and time. Plain counts for the unweighted
// aggregates (exact, so the moving-aggregate inverse is exact too) and double sums
// of weights for the weighted ones (no inverse: removing a float from a float sum
// is not exact, so PostgreSQL recomputes weighted window frames, as it does for
// sum(float8)).
//
// The hot functions are inline: they run once per row. Everything that builds an
// error message lives out of line in budget.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace error_budget::core {

// The aggregate state. Its bytes are the on-disk/in-memory form of the SQL type
// budget_state (fixed length 40, double alignment), so keep it plain.
struct BudgetState {
    double slo;           // target in (0, 1); the same for every row of a group
    int64_t good;         // good events (unweighted aggregates)
    int64_t bad;          // bad events (unweighted aggregates)
    double good_weight;   // sum of weights of good events (weighted aggregates)
    double bad_weight;    // sum of weights of bad events (weighted aggregates)
};
static_assert(std::is_trivially_copyable_v<BudgetState>, "BudgetState is stored as raw bytes");
static_assert(sizeof(BudgetState) == 40, "BudgetState must match INTERNALLENGTH in the SQL script");

// Cold paths: each throws an Error naming the bad value.
[[noreturn]] void fail_null_slo();
[[noreturn]] void fail_slo_mismatch(double group_slo, double row_slo);
[[noreturn]] void fail_weight(double weight);
[[noreturn]] void fail_remove_from_empty();
[[noreturn]] void fail_weight_sum();

// Throws unless 0 < slo < 1 (NaN fails too).
void validate_slo(double slo);

// A fresh state for a group whose first row carries this slo (validated).
inline BudgetState start_budget(double slo) {
    validate_slo(slo);
    return BudgetState{slo, 0, 0, 0.0, 0.0};
}

// Every row of a group must carry the group's slo: mixing targets would give a
// number that means nothing.
inline void require_same_slo(const BudgetState &state, double slo) {
    if (slo != state.slo) fail_slo_mismatch(state.slo, slo);
}

inline void add_event(BudgetState &state, bool good) {
    if (good)
        ++state.good;
    else
        ++state.bad;
}

// Inverse of add_event, for sliding window frames.
inline void remove_event(BudgetState &state, bool good) {
    int64_t &count = good ? state.good : state.bad;
    if (count == 0) fail_remove_from_empty();
    --count;
}

inline void add_weighted_event(BudgetState &state, bool good, double weight) {
    // Written so that NaN fails too; +Inf fails on the upper bound.
    if (!(weight >= 0.0 && weight <= 1.7976931348623157e308)) fail_weight(weight);
    double &sum = good ? state.good_weight : state.bad_weight;
    sum += weight;
    // A sum that overflows would be a state no one could read back: an error here.
    if (sum > 1.7976931348623157e308) fail_weight_sum();
}

// Adds `from` into `into` (parallel workers, Citus shards). Throws when the
// targets differ or a count would overflow.
void merge_budgets(BudgetState &into, const BudgetState &from);

// (bad / all) / (1 - slo); nullopt when there are no events.
std::optional<double> burn_rate(const BudgetState &state);
// ((good / all) - slo) / (1 - slo), the seed's formula; negative when overspent.
std::optional<double> budget_remaining(const BudgetState &state);
// The same over weights; nullopt when the total weight is 0.
std::optional<double> weighted_burn_rate(const BudgetState &state);
std::optional<double> weighted_budget_remaining(const BudgetState &state);

// Text form of the state, e.g. "slo=0.95 good=10 bad=2 good_weight=0 bad_weight=0".
// Doubles are printed so that they read back bit for bit (Citus ships states as text).
std::string budget_state_to_text(const BudgetState &state);
BudgetState budget_state_from_text(std::string_view text);
// Throws unless the state could have been built by the aggregates.
void validate_budget_state(const BudgetState &state);

}  // namespace error_budget::core
