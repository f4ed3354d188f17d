// A confidence level, as every statistic of the extension takes it (canary_compare,
// budget_remaining_interval, the rank-sum test, the Wilson interval): in (0, 1),
// and the same on every row of an aggregate's group.
#pragma once

namespace error_budget::core {

void validate_confidence(double confidence);
void require_same_confidence(double group, double row);

}  // namespace error_budget::core
