// Settings read by the catalog's SQL: error_budget.tenant, error_budget.notify_payload,
// error_budget.scan_strategy, error_budget.rollup_lateness, error_budget.alert_keep_firing,
// error_budget.log_deploy_decisions.
#pragma once

namespace error_budget::pg {

// Called once from _PG_init, before the prefix error_budget is reserved.
void define_catalog_gucs();

}  // namespace error_budget::pg
