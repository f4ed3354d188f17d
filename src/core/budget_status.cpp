#include "budget_status.hpp"

#include <cmath>

#include "error.hpp"

namespace error_budget::core {

void validate_thresholds(const StatusThresholds &t) {
    auto in_unit_interval = [](double x) { return x >= 0.0 && x <= 1.0; };  // false for NaN
    if (!in_unit_interval(t.block_below))
        fail(ErrorKind::InvalidParameter,
             "error_budget.block_below must be between 0 and 1, got " + format_double(t.block_below));
    if (!in_unit_interval(t.escalate_below))
        fail(ErrorKind::InvalidParameter,
             "error_budget.escalate_below must be between 0 and 1, got " + format_double(t.escalate_below));
    if (t.escalate_below > t.block_below)
        fail(ErrorKind::InvalidParameter,
             "error_budget.escalate_below (" + format_double(t.escalate_below) +
                 ") must not be above error_budget.block_below (" + format_double(t.block_below) + ")");
}

BudgetStatus status_for(std::optional<double> remaining, const StatusThresholds &t) {
    if (!remaining) return BudgetStatus::NoData;
    const double r = *remaining;
    if (!std::isfinite(r))
        fail(ErrorKind::InvalidParameter, "remaining must be a finite number, got " + format_double(r));
    if (r <= 0.0) return BudgetStatus::Exhausted;
    if (r < t.escalate_below) return BudgetStatus::Escalated;
    if (r < t.block_below) return BudgetStatus::Blocked;
    return BudgetStatus::Ok;
}

const char *status_name(BudgetStatus status) {
    switch (status) {
        case BudgetStatus::NoData: return "no_data";
        case BudgetStatus::Ok: return "ok";
        case BudgetStatus::Blocked: return "blocked";
        case BudgetStatus::Escalated: return "escalated";
        case BudgetStatus::Exhausted: return "exhausted";
    }
    return "no_data";
}

std::optional<BudgetStatus> status_named(std::string_view label) {
    for (auto status : {BudgetStatus::NoData, BudgetStatus::Ok, BudgetStatus::Blocked, BudgetStatus::Escalated,
                        BudgetStatus::Exhausted})
        if (label == status_name(status)) return status;
    return std::nullopt;
}

}  // namespace error_budget::core
