// The status of an error budget, from what remains of it.
//
//   no_data    remaining is unknown (NULL)
//   ok         remaining >= block_below
//   blocked    remaining <  block_below     deploys that depend on the budget wait
//   escalated  remaining <  escalate_below  page someone
//   exhausted  remaining <= 0               the budget is spent
//
// Defaults follow the seed's decision rule: block under 25%, escalate under 10%.
#pragma once

#include <optional>
#include <string_view>

namespace error_budget::core {

// Ordered from best to worst, as the SQL enum budget_status.
enum class BudgetStatus { NoData, Ok, Blocked, Escalated, Exhausted };

struct StatusThresholds {
    double block_below = 0.25;
    double escalate_below = 0.10;
};

// Throws unless 0 <= escalate_below <= block_below <= 1.
void validate_thresholds(const StatusThresholds &thresholds);

// Throws for a NaN remaining (a number that means nothing must not pass as "ok").
BudgetStatus status_for(std::optional<double> remaining, const StatusThresholds &thresholds);

// "no_data", "ok", "blocked", "escalated", "exhausted": the SQL labels.
const char *status_name(BudgetStatus status);

// The status a label names; nothing for any other text.
std::optional<BudgetStatus> status_named(std::string_view label);

}  // namespace error_budget::core
