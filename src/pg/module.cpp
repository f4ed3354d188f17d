// The extension's shared library: PG_MODULE_MAGIC and _PG_init, once for the module.
#include "../core/interrupt.hpp"
#include "boundary.hpp"
#include "flag_budget_plans.hpp"
#include "flag_budget_trigger.hpp"
#include "catalog_gucs.hpp"
#include "postgres_headers.hpp"
#include "status_gucs.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
void _PG_init(void) {
    error_budget::pg::define_status_gucs();
    error_budget::pg::define_notify_gucs();
    error_budget::pg::define_catalog_gucs();
    MarkGUCPrefixReserved("error_budget");
    error_budget::core::set_interrupt_check(error_budget::pg::statement_should_stop);
    error_budget::pg::register_status_cache_callbacks();
    error_budget::pg::register_flag_budget_plan_callbacks();
}
}
