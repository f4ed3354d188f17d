// Settings of tenant isolation (error_budget.tenant, error_budget.notify_payload).
#pragma once

namespace error_budget::pg {

// Called once from _PG_init, before the prefix error_budget is reserved.
void define_isolation_gucs();

}  // namespace error_budget::pg
