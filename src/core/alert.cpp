#include "alert.hpp"

#include <cmath>
#include <limits>

#include "error.hpp"

namespace error_budget::core {

namespace {

constexpr double MINUTE = 60;
constexpr double WORKBOOK_PERIOD = 30 * 86400.0;

// One of the Workbook's windows scaled to a period, in whole minutes, at least 1.
double scaled_minutes(double workbook_seconds, double period_seconds) {
    return std::max(1.0, std::round(workbook_seconds * period_seconds / WORKBOOK_PERIOD / MINUTE)) * MINUTE;
}

bool zero_tolerance(const BudgetRule &rule) { return rule.kind == BudgetKind::Count && rule.max_events == 0; }

// Strictly greater, but not by rounding alone: 10% errors against a 90% target is a
// burn of exactly 1 mathematically, 0.1 / (1 - 0.9) = 1.0000000000000002 in doubles.
// A burn within a relative 1e-12 of the factor counts as equal (does not fire).
bool exceeds(double burn, double factor) {
    constexpr double ROUNDING = 1e-12;
    return burn > factor && burn - factor > ROUNDING * factor;
}

}  // namespace

std::vector<AlertWindow> default_alert_windows(double period_seconds) {
    if (!(period_seconds > 0) || !std::isfinite(period_seconds))
        fail(ErrorKind::InvalidParameter, "the period of an SLO must be positive, got " + format_double(period_seconds) + " s");
    struct Row {
        const char *severity;
        double long_seconds, short_seconds, factor;
    };
    static const Row workbook[] = {{"page", 3600, 300, 14.4},
                                   {"page", 6 * 3600, 1800, 6},
                                   {"ticket", 86400, 2 * 3600, 3},
                                   {"ticket", 3 * 86400, 6 * 3600, 1}};
    std::vector<AlertWindow> windows;
    for (const Row &row : workbook) {
        AlertWindow w{row.severity, scaled_minutes(row.long_seconds, period_seconds),
                      scaled_minutes(row.short_seconds, period_seconds), row.factor};
        // Very short periods round both windows to a minute or two: keep the pair a pair.
        if (w.long_seconds < 2 * MINUTE) w.long_seconds = 2 * MINUTE;
        if (w.short_seconds >= w.long_seconds) w.short_seconds = w.long_seconds - MINUTE;
        windows.push_back(w);
    }
    return windows;
}

void validate_alert_window(const AlertWindow &w, double period_seconds) {
    if (w.severity != "page" && w.severity != "ticket")
        fail(ErrorKind::InvalidParameter, "severity must be page or ticket, got " + w.severity);
    for (double seconds : {w.long_seconds, w.short_seconds})
        if (!(seconds >= MINUTE) || !std::isfinite(seconds) || std::fmod(seconds, MINUTE) != 0)
            fail(ErrorKind::InvalidParameter, "alert windows must be whole minutes of at least 1 minute (rollups are "
                                              "per minute), got " + format_double(seconds) + " s");
    if (!(w.short_seconds < w.long_seconds))
        fail(ErrorKind::InvalidParameter, "the short window (" + format_double(w.short_seconds) +
                                              " s) must be shorter than the long window (" +
                                              format_double(w.long_seconds) + " s)");
    if (std::isfinite(period_seconds) && period_seconds > 0 && w.long_seconds > period_seconds)
        fail(ErrorKind::InvalidParameter, "the long window (" + format_double(w.long_seconds) +
                                              " s) is longer than the SLO's period (" + format_double(period_seconds) + " s)");
    if (!(w.factor > 0) || !std::isfinite(w.factor))
        fail(ErrorKind::InvalidParameter, "the burn-rate factor must be a finite number > 0, got " + format_double(w.factor));
}

std::optional<double> window_burn(const BudgetRule &rule, const BudgetTotals &totals, double window_seconds,
                                  double period_seconds) {
    if (rule.method != BudgetMethod::Occurrences || rule.kind == BudgetKind::CostBand)
        fail(ErrorKind::InvalidParameter, "alerts cover Occurrences SLOs of kind ratio, count, amount_per_unit or amount_cap");
    if (!(window_seconds > 0) || !(period_seconds > 0) || !std::isfinite(window_seconds) || !std::isfinite(period_seconds))
        fail(ErrorKind::InvalidParameter, "an alert window and the period must be positive");
    if (zero_tolerance(rule)) {
        if (totals.counted > 0) return std::numeric_limits<double>::infinity();
        return totals.scoped > 0 ? std::optional<double>(0.0) : std::nullopt;
    }
    BudgetRule any_events = rule;
    any_events.min_events = 1;  // min_events applies to the pair, not to the rate
    const BudgetNumbers n = compute_snapshot(any_events, totals);
    if (!n.burn) return std::nullopt;
    // Kinds whose budget is an amount per window: the window holds w / P of it.
    if (rule.kind == BudgetKind::Count || rule.kind == BudgetKind::AmountCap) {
        const double burn = *n.burn * (period_seconds / window_seconds);
        if (!std::isfinite(burn)) fail(ErrorKind::NumericOutOfRange, "burn rate out of range");
        return burn;
    }
    return n.burn;
}

double window_events(const BudgetRule &rule, const BudgetTotals &t) {
    switch (rule.kind) {
        case BudgetKind::Ratio: return t.good + t.bad;
        case BudgetKind::Count: return t.scoped;
        default: return t.units;
    }
}

bool pair_fires(const BudgetRule &rule, std::optional<double> long_burn, std::optional<double> short_burn,
                double factor, double short_window_events) {
    if (!long_burn || !short_burn) return false;
    if (!zero_tolerance(rule) && short_window_events < rule.min_events) return false;
    return exceeds(*long_burn, factor) && exceeds(*short_burn, factor);
}

double budget_consumed(double burn, double window_seconds, double period_seconds) {
    return burn * window_seconds / period_seconds;
}

std::optional<double> exhaustion_seconds(std::optional<double> remaining, std::optional<double> burn,
                                         double period_seconds) {
    if (!remaining) return std::nullopt;
    if (*remaining <= 0) return 0.0;
    if (!burn || !(*burn > 0)) return std::nullopt;
    if (std::isinf(*burn)) return 0.0;
    return *remaining * period_seconds / *burn;
}

}  // namespace error_budget::core
