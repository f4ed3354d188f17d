#include "snapshot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "budget.hpp"
#include "error.hpp"

namespace error_budget::core {

BudgetKind parse_budget_kind(std::string_view text) {
    if (text == "ratio") return BudgetKind::Ratio;
    if (text == "count") return BudgetKind::Count;
    if (text == "amount_per_unit") return BudgetKind::AmountPerUnit;
    if (text == "cost_band") return BudgetKind::CostBand;
    if (text == "amount_cap") return BudgetKind::AmountCap;
    fail(ErrorKind::InvalidParameter,
         "kind must be ratio, count, amount_per_unit, cost_band or amount_cap, got " + std::string(text));
}

BudgetMethod parse_budget_method(std::string_view text) {
    if (text == "Occurrences") return BudgetMethod::Occurrences;
    if (text == "Timeslices") return BudgetMethod::Timeslices;
    if (text == "RatioTimeslices") return BudgetMethod::RatioTimeslices;
    fail(ErrorKind::InvalidParameter,
         "method must be Occurrences, Timeslices or RatioTimeslices, got " + std::string(text));
}

double slices_in(double seconds, double slice_seconds) {
    if (!(slice_seconds > 0) || !std::isfinite(seconds))
        fail(ErrorKind::InvalidParameter, "a slice must be positive and the window finite");
    return std::ceil(seconds / slice_seconds);
}

namespace {

void validate(const BudgetRule &rule) {
    if (rule.kind == BudgetKind::Ratio) validate_slo(rule.target);
    if (rule.kind != BudgetKind::Ratio && rule.method != BudgetMethod::Occurrences)
        fail(ErrorKind::InvalidParameter, "time-slice methods apply to ratio budgets only");
    if (rule.kind == BudgetKind::Count && !(rule.max_events >= 0))
        fail(ErrorKind::InvalidParameter, "max_events must be >= 0, got " + format_double(rule.max_events));
    if ((rule.kind == BudgetKind::AmountPerUnit || rule.kind == BudgetKind::AmountCap) && !(rule.allowance > 0))
        fail(ErrorKind::InvalidParameter, "allowance must be > 0, got " + format_double(rule.allowance));
    if (rule.kind == BudgetKind::CostBand && !(rule.band > 0))
        fail(ErrorKind::InvalidParameter, "band must be > 0, got " + format_double(rule.band));
}

// The totals a scan can produce: counts are whole numbers from count(*) (at most
// 2^53, exact in a double), sums are finite, a mean ratio lies in [0, 1].
void validate(const BudgetTotals &t) {
    constexpr double MAX_COUNT = 9007199254740992.0;  // 2^53
    for (double count : {t.good, t.bad, t.scoped, t.counted, t.units, t.bad_slices, t.slices_with_events,
                         t.slice_events, t.elapsed_slices, t.period_slices})
        if (!(count >= 0 && count <= MAX_COUNT && count == std::floor(count)))
            fail(ErrorKind::NumericOutOfRange, "snapshot totals: a count must be a whole number in [0, 2^53], got " +
                                                   format_double(count));
    for (double sum : {t.good_weight, t.bad_weight, t.min_weight, t.amount})
        if (!std::isfinite(sum)) fail(ErrorKind::NumericOutOfRange, "snapshot totals: sums must be finite, got " + format_double(sum));
    if (!(t.mean_slice_ratio >= 0 && t.mean_slice_ratio <= 1))
        fail(ErrorKind::InvalidParameter, "snapshot totals: mean_slice_ratio must be in [0, 1], got " +
                                              format_double(t.mean_slice_ratio));
    if (t.baseline && !std::isfinite(*t.baseline))
        fail(ErrorKind::NumericOutOfRange, "snapshot totals: the baseline must be finite, got " + format_double(*t.baseline));
}

// Counts come from count(*) as doubles; the ratio formulas take them as the
// aggregates' integer counts so that a snapshot equals budget_remaining() by hand.
BudgetState counted_state(double target, double good, double bad) {
    return BudgetState{target, static_cast<int64_t>(good), static_cast<int64_t>(bad), 0.0, 0.0};
}

BudgetNumbers ratio_occurrences(const BudgetRule &rule, const BudgetTotals &t) {
    BudgetNumbers n;
    n.events = t.good + t.bad;
    n.bad_events = t.bad;
    const double spare = 1.0 - rule.target;
    if (rule.weighted) {
        // The scan sums weights; a negative one would silently cancel bad events.
        if (!(t.min_weight >= 0)) fail_weight(t.min_weight);
        const BudgetState state{rule.target, 0, 0, t.good_weight, t.bad_weight};
        n.allowed = spare * (t.good_weight + t.bad_weight);
        n.consumed = t.bad_weight;
        n.remaining = weighted_budget_remaining(state);
        n.burn = weighted_burn_rate(state);
    } else {
        const BudgetState state = counted_state(rule.target, t.good, t.bad);
        n.allowed = spare * (t.good + t.bad);
        n.consumed = t.bad;
        n.remaining = budget_remaining(state);
        n.burn = burn_rate(state);
    }
    return n;
}

// Timeslices: a slice is bad when its good ratio is under slice_target; the budget
// is (1 - target) of the period's slices, i.e. time.
BudgetNumbers timeslices(const BudgetRule &rule, const BudgetTotals &t) {
    BudgetNumbers n;
    n.events = t.slices_with_events;
    n.bad_events = t.bad_slices;
    const double spare = 1.0 - rule.target;
    const double budget = spare * t.period_slices;
    n.allowed = budget;
    n.consumed = t.bad_slices;
    n.budget_slices = budget;
    n.remaining_slices = budget - t.bad_slices;
    if (budget > 0) n.remaining = 1 - t.bad_slices / budget;
    // At the very start of a calendar period no slice has elapsed: no rate yet.
    if (t.elapsed_slices > 0) n.burn = (t.bad_slices / t.elapsed_slices) / spare;
    return n;
}

// RatioTimeslices: the mean of the slices' good ratios against the target.
BudgetNumbers ratio_timeslices(const BudgetRule &rule, const BudgetTotals &t) {
    BudgetNumbers n;
    n.events = t.slices_with_events;
    if (t.slices_with_events > 0) {
        const double spare = 1.0 - rule.target;
        n.allowed = spare * t.slices_with_events;
        n.consumed = (1 - t.mean_slice_ratio) * t.slices_with_events;
        n.remaining = (t.mean_slice_ratio - rule.target) / spare;
        n.burn = (1 - t.mean_slice_ratio) / spare;
    }
    return n;
}

// count: at most max_events per window; max_events 0 is zero tolerance (one event
// spends the whole budget).
BudgetNumbers count(const BudgetRule &rule, const BudgetTotals &t) {
    BudgetNumbers n;
    n.events = t.scoped;
    n.bad_events = t.counted;
    n.allowed = rule.max_events;
    n.consumed = t.counted;
    n.remaining = rule.max_events == 0 ? 1 - t.counted : 1 - t.counted / rule.max_events;
    n.burn = t.counted / std::max(rule.max_events, 1.0);
    return n;
}

BudgetNumbers amount_per_unit(const BudgetRule &rule, const BudgetTotals &t) {
    BudgetNumbers n;
    n.events = t.units;
    n.allowed = rule.allowance * t.units;
    n.consumed = t.amount;
    if (t.units > 0) {
        n.remaining = 1 - t.amount / (rule.allowance * t.units);
        n.burn = t.amount / (rule.allowance * t.units);
    }
    return n;
}

// amount_cap: an absolute allowance per window (e.g. $5,000 per tenant per month).
BudgetNumbers amount_cap(const BudgetRule &rule, const BudgetTotals &t) {
    BudgetNumbers n;
    n.events = t.units;
    n.allowed = rule.allowance;
    n.consumed = t.amount;
    n.remaining = 1 - t.amount / rule.allowance;
    n.burn = t.amount / rule.allowance;
    return n;
}

// cost_band: spend above the baseline is consumed; baseline x band is allowed.
// Without a baseline (no spend in the baseline days) there are no numbers.
BudgetNumbers cost_band(const BudgetRule &rule, const BudgetTotals &t) {
    BudgetNumbers n;
    n.events = t.units;
    if (!t.baseline) return n;
    const double baseline = *t.baseline;
    const double over = std::max(t.amount - baseline, 0.0);
    n.allowed = baseline * rule.band;
    n.consumed = over;
    if (baseline > 0) {
        n.remaining = 1 - over / (baseline * rule.band);
        n.burn = over / (baseline * rule.band);
    }
    return n;
}

// Events that decide whether there is enough data: events, slice events, units.
double raw_events(const BudgetRule &rule, const BudgetTotals &t) {
    switch (rule.kind) {
        case BudgetKind::Ratio:
            return rule.method == BudgetMethod::Occurrences ? t.good + t.bad : t.slice_events;
        case BudgetKind::Count: return t.scoped;
        case BudgetKind::AmountPerUnit:
        case BudgetKind::CostBand:
        case BudgetKind::AmountCap: return t.units;
    }
    return 0;
}

}  // namespace

BudgetNumbers compute_snapshot(const BudgetRule &rule, const BudgetTotals &totals) {
    validate(rule);
    validate(totals);
    BudgetNumbers n;
    switch (rule.kind) {
        case BudgetKind::Ratio:
            n = rule.method == BudgetMethod::Occurrences ? ratio_occurrences(rule, totals)
                : rule.method == BudgetMethod::Timeslices ? timeslices(rule, totals)
                                                           : ratio_timeslices(rule, totals);
            break;
        case BudgetKind::Count: n = count(rule, totals); break;
        case BudgetKind::AmountPerUnit: n = amount_per_unit(rule, totals); break;
        case BudgetKind::CostBand: n = cost_band(rule, totals); break;
        case BudgetKind::AmountCap: n = amount_cap(rule, totals); break;
    }
    // Every formula above guards its divisions; a number that still is not finite
    // (totals near the double range) is an error, never a NaN or infinite snapshot.
    std::optional<double> events = n.events;
    for (const std::optional<double> *v : {&events, &n.bad_events, &n.allowed, &n.consumed, &n.remaining, &n.burn,
                                           &n.budget_slices, &n.remaining_slices})
        if (*v && !std::isfinite(**v))
            fail(ErrorKind::NumericOutOfRange, "snapshot numbers out of range (overflow double precision)");
    // Too few events: no number rather than a noisy one (status no_data).
    if (raw_events(rule, totals) < rule.min_events) {
        n.remaining.reset();
        n.burn.reset();
        n.remaining_slices.reset();
    }
    return n;
}

}  // namespace error_budget::core
