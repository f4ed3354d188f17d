// The flag_budget trigger: sets a budget's status from what remains of it, and
// logs and announces (NOTIFY error_budget) every status transition.
#pragma once

namespace error_budget::pg {

// The per-transaction cache of budget statuses this transaction holds locked;
// it must be forgotten when the transaction or a subtransaction ends.
void register_status_cache_callbacks();
// The statement form moves budget_current rows behind that cache's back: it
// forgets the cache, and the row form reads the statuses again.
void forget_row_status_cache();

}  // namespace error_budget::pg
