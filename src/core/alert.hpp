// Multiwindow, multi-burn-rate alerts (the Google SRE Workbook's method, also Sloth's
// and Pyrra's): the arithmetic of one alert window pair, free of PostgreSQL.
//
// A pair (long window, short window, factor k) fires when the burn rate over both
// windows is strictly greater than k. The burn rate of a window is the rate at which
// the budget is spent relative to the period P: 1 spends exactly the budget over P.
// So a pair means "f = k x w_long / P of the budget was consumed in the long window,
// and it is still burning now" — the Workbook's 2% in 1 hour for a 30-day period is
// k = 0.02 x 720 h / 1 h = 14.4.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "snapshot.hpp"

namespace error_budget::core {

struct AlertWindow {
    std::string severity;   // "page" or "ticket"
    double long_seconds = 0;
    double short_seconds = 0;
    double factor = 0;      // the burn rate both windows must exceed
};

// The Workbook's table for a 30-day period — page 1h/5m at 14.4, page 6h/30m at 6,
// ticket 1d/2h at 3, ticket 3d/6h at 1 — with the windows scaled to the period
// (rounded to whole minutes, at least 1; a short window stays shorter than its long
// one) and the factors kept, so each pair still means the same fraction of the
// budget consumed. Throws InvalidParameter for a period that is not positive.
std::vector<AlertWindow> default_alert_windows(double period_seconds);

// Throws InvalidParameter naming the problem: an unknown severity, a window that is
// not a positive whole number of minutes, a short window not shorter than its long
// one, a long window longer than the period, a factor that is not a finite number > 0.
void validate_alert_window(const AlertWindow &window, double period_seconds);

// The burn rate of one window of `window_seconds` of an SLO whose period is
// `period_seconds`, from the window's totals (as compute_budgets' scan measures them):
//   ratio           error ratio / (1 - target), weighted or not (as burn_rate());
//   count           counted x P / (max_events x w); zero tolerance: +infinity as soon
//                   as one event is counted (instant burn), 0 before;
//   amount_per_unit amount / (allowance x units) (a rate per unit already);
//   amount_cap      amount x P / (allowance x w).
// nullopt without events (no rate). Throws InvalidParameter for kinds or methods
// alerts do not cover (cost_band, the time-slice methods) and windows <= 0.
std::optional<double> window_burn(const BudgetRule &rule, const BudgetTotals &totals, double window_seconds,
                                  double period_seconds);

// Events of a window that count toward min_events: events (ratio), rows in scope
// (count), units (amounts).
double window_events(const BudgetRule &rule, const BudgetTotals &totals);

// A pair fires iff both burns are strictly greater than the factor (a burn within a
// relative 1e-12 of it, a rounding error, is equal) and the short
// window has at least min_events events (a count SLO with zero tolerance needs none:
// any counted event fires).
bool pair_fires(const BudgetRule &rule, std::optional<double> long_burn, std::optional<double> short_burn,
                double factor, double short_window_events);

// The fraction of the budget consumed in a window at a burn rate: burn x w / P.
double budget_consumed(double burn, double window_seconds, double period_seconds);

// Time until the budget is gone at a burn rate: remaining x P / burn seconds;
// 0 when nothing remains; nullopt when nothing burns or remaining is unknown.
std::optional<double> exhaustion_seconds(std::optional<double> remaining, std::optional<double> burn,
                                         double period_seconds);

}  // namespace error_budget::core
