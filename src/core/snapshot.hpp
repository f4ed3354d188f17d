// The numbers of one budget snapshot: what compute_budgets() writes for one SLO and
// one combination of dimension values, from the totals its scan measured.
//
// Every formula of a snapshot lives here (allowed, consumed, remaining, burn and the
// budget as time), per kind of budget and budgeting method; the catalog's SQL only
// builds the scans and moves rows. Ratio budgets use exactly the arithmetic of
// burn_rate() / budget_remaining() (budget.hpp), so a snapshot equals the aggregates
// applied by hand.
#pragma once

#include <optional>
#include <string_view>

namespace error_budget::core {

enum class BudgetKind { Ratio, Count, AmountPerUnit, CostBand, AmountCap };
enum class BudgetMethod { Occurrences, Timeslices, RatioTimeslices };

// Throw InvalidParameter naming the valid values.
BudgetKind parse_budget_kind(std::string_view text);
BudgetMethod parse_budget_method(std::string_view text);

// The definition's parameters that the numbers depend on.
struct BudgetRule {
    BudgetKind kind = BudgetKind::Ratio;
    BudgetMethod method = BudgetMethod::Occurrences;
    double target = 0;         // ratio: in (0, 1)
    bool weighted = false;     // ratio, Occurrences: weights instead of counts
    double max_events = 0;     // count: events allowed per window (0: zero tolerance)
    double allowance = 0;      // amount_per_unit: amount allowed per unit; amount_cap: per window
    double band = 0;           // cost_band: allowance as a fraction of the baseline
    double min_events = 1;     // fewer events: no numbers (status no_data)
};

// What the scan measured over the window (fields of other kinds stay 0).
struct BudgetTotals {
    double good = 0, bad = 0;                 // ratio, Occurrences: events
    double good_weight = 0, bad_weight = 0;   // ratio, Occurrences, weighted
    double min_weight = 0;                    // weighted: the smallest weight seen (must be >= 0)
    double scoped = 0, counted = 0;           // count: rows in scope, counted events
    double units = 0, amount = 0;             // amount_per_unit, cost_band, amount_cap
    double bad_slices = 0;                    // Timeslices: slices under slice_target
    double slices_with_events = 0;            // time slices that had events
    double mean_slice_ratio = 0;              // RatioTimeslices: mean good ratio of those slices
    double slice_events = 0;                  // time slices: events in all slices
    std::optional<double> baseline;           // cost_band: the forecast spend of the window
    double elapsed_slices = 0;                // time slices: slices from window start to now (ceil)
    double period_slices = 0;                 // time slices: slices in the whole period (ceil)
};

struct BudgetNumbers {
    double events = 0;                        // events (slices with events for the time-slice methods)
    std::optional<double> bad_events;         // bad events, counted events or bad slices
    std::optional<double> allowed;            // the budget in the SLO's unit
    std::optional<double> consumed;           // how much of it was spent
    std::optional<double> remaining;          // 1 - consumed / allowed; nullopt: no data
    std::optional<double> burn;               // the rate of spending (1 spends the budget over the window)
    std::optional<double> budget_slices;      // Timeslices: the budget as a number of slices
    std::optional<double> remaining_slices;   // Timeslices: slices of budget left (negative when overspent)
};

// Throws InvalidParameter for a rule that cannot be computed (target outside
// (0, 1), negative max_events, allowance or band, a method other than Occurrences
// for a kind other than ratio).
BudgetNumbers compute_snapshot(const BudgetRule &rule, const BudgetTotals &totals);

// ceil(numerator / denominator) for slice counts (denominator > 0).
double slices_in(double seconds, double slice_seconds);

}  // namespace error_budget::core
