// flag_budget(remaining_column, status_column [, key_column ...]): a BEFORE
// INSERT OR UPDATE ... FOR EACH ROW trigger (this file). Declared also as AFTER
// INSERT ... REFERENCING NEW TABLE ... FOR EACH STATEMENT, it does step 2 for a
// whole INSERT at once (flag_budget_bulk.cpp) and the row form only does step 1.
//
// 1. Sets the status column from the remaining column (rule and thresholds in
//    src/core/budget_status.hpp, GUCs in status_gucs.cpp).
// 2. Compares the status with the budget's current status, kept one row per
//    budget (source table + key column values) in error_budget.budget_current.
//    On a change, including a budget's first snapshot, it appends the transition
//    to error_budget.budget_events and sends NOTIFY error_budget with a JSON
//    payload (built in SQL by error_budget.budget_event_payload).
//
// Concurrency: the budget's budget_current row is locked FOR UPDATE (or inserted)
// before it is compared, so two sessions writing the same budget are serialized:
// the second sees the first's status after it commits (READ COMMITTED) or gets a
// serialization failure (REPEATABLE READ and above). Never both log one
// transition, never one is missed. Because the lock is held to the end of the
// transaction, the status can be cached for the rest of it: later snapshots of
// the same budget with an unchanged status need no query at all.
//
// Conventions: a column `id` (integer types) is recorded as the snapshot id and
// a column `computed_at` (timestamptz) as the snapshot time, when present.
//
// History: a snapshot is history being written back, not news, when its budget
// already has a later one: a logged transition computed after it (by computed_at;
// by id on tables without computed_at), or a snapshot in the table computed after
// it (a backfill). Its status is set, but the budget's current status is left
// alone, nothing is logged and nothing is announced: a backfill never pages
// anyone. Transitions therefore follow computed_at, not the order of writing.
// That is also what keeps pg_restore exact: it restores budget_current and
// budget_events (pg_dump orders table data by name, and both sort before
// error_budgets) and then replays the snapshots through this trigger.
#include "flag_budget_trigger.hpp"

#include <optional>

#include "../core/budget_status.hpp"
#include "boundary.hpp"
#include "flag_budget_columns.hpp"
#include "flag_budget_bulk.hpp"
#include "flag_budget_plans.hpp"
#include "status_gucs.hpp"

extern "C" {
#include "catalog/namespace.h"
}

namespace core = error_budget::core;
using error_budget::pg::BudgetColumns;
using error_budget::pg::MAX_KEY_COLUMNS;
using error_budget::pg::budget_column_type;

namespace {

[[noreturn]] void trigger_misuse(const char *message, const char *hint) {
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED), errmsg("%s", message),
                    errhint("%s", hint)));
    pg_unreachable();
}

const char *hint() { return error_budget::pg::flag_budget_usage_hint(); }

// The row form: BEFORE INSERT OR UPDATE ... FOR EACH ROW. The statement form
// (AFTER INSERT ... REFERENCING NEW TABLE ... FOR EACH STATEMENT) is checked in
// flag_budget_bulk.cpp.
TriggerData *trigger_data(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_TRIGGER(fcinfo)) trigger_misuse("flag_budget() can only be called as a trigger", hint());
    auto *data = reinterpret_cast<TriggerData *>(fcinfo->context);
    const TriggerEvent event = data->tg_event;
    if (!TRIGGER_FIRED_FOR_ROW(event)) return data;
    if (!TRIGGER_FIRED_BEFORE(event))
        trigger_misuse("flag_budget FOR EACH ROW must be a BEFORE trigger: an AFTER or INSTEAD OF trigger cannot set the "
                       "status column",
                       hint());
    if (!TRIGGER_FIRED_BY_INSERT(event) && !TRIGGER_FIRED_BY_UPDATE(event))
        trigger_misuse("flag_budget must fire on INSERT or UPDATE", hint());
    return data;
}

// `type`: the column's base type (float8, float4 or numeric: resolve_budget_columns checked).
std::optional<double> read_remaining(HeapTuple tuple, TupleDesc desc, AttrNumber attnum, Oid type) {
    bool isnull = false;
    const Datum value = heap_getattr(tuple, attnum, desc, &isnull);
    if (isnull) return std::nullopt;
    switch (type) {
        case FLOAT8OID: return DatumGetFloat8(value);
        case FLOAT4OID: return static_cast<double>(DatumGetFloat4(value));
        default: return DatumGetFloat8(DirectFunctionCall1(numeric_float8, value));
    }
}

// The column's value as text (NULL as nullptr), through its type's output function.
char *column_text(HeapTuple tuple, TupleDesc desc, AttrNumber attnum) {
    bool isnull = false;
    const Datum value = heap_getattr(tuple, attnum, desc, &isnull);
    if (isnull) return nullptr;
    Oid output = InvalidOid;
    bool varlena = false;
    getTypeOutputInfo(TupleDescAttr(desc, attnum - 1)->atttypid, &output, &varlena);
    return OidOutputFunctionCall(output, value);
}

// What the row form looks up once per statement, not once per row: the columns (by
// name, with their types checked), each status label as a value of the status
// column's type, and whether the statement form follows. Kept in the trigger's
// FmgrInfo (fn_extra, in its per-statement memory), keyed by trigger and table.
constexpr int STATUS_COUNT = 5;  // core::BudgetStatus
struct RowFormCache {
    Oid trigger;
    Oid relation;
    BudgetColumns columns;
    Oid remaining_type;     // the remaining column's base type
    int statement_follows;  // -1 not known yet, 0 no, 1 yes (INSERTs only)
    bool have_status[STATUS_COUNT];
    Datum status_values[STATUS_COUNT];
};

RowFormCache *row_form_cache(FunctionCallInfo fcinfo, const TriggerData *data) {
    auto *cache = static_cast<RowFormCache *>(fcinfo->flinfo->fn_extra);
    const Oid relation = RelationGetRelid(data->tg_relation);
    if (cache && cache->trigger == data->tg_trigger->tgoid && cache->relation == relation) return cache;
    // Resolved before anything is kept: a wrong declaration raises, and nothing half-made stays.
    const BudgetColumns columns = error_budget::pg::resolve_budget_columns(data);
    const Oid remaining_type = budget_column_type(data->tg_relation, columns.remaining);
    if (!cache) cache = static_cast<RowFormCache *>(MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RowFormCache)));
    *cache = RowFormCache{};
    cache->trigger = data->tg_trigger->tgoid;
    cache->relation = relation;
    cache->columns = columns;
    cache->remaining_type = remaining_type;
    cache->statement_follows = -1;
    fcinfo->flinfo->fn_extra = cache;
    return cache;
}

// The status as a value of the status column's type (text, varchar or an enum),
// made once per statement and label.
Datum status_value(FunctionCallInfo fcinfo, RowFormCache *cache, TupleDesc desc, core::BudgetStatus status) {
    const int i = static_cast<int>(status);
    if (cache->have_status[i]) return cache->status_values[i];
    const Form_pg_attribute attr = TupleDescAttr(desc, cache->columns.status - 1);
    Oid input = InvalidOid, ioparam = InvalidOid;
    getTypeInputInfo(attr->atttypid, &input, &ioparam);
    MemoryContext keep = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
    const Datum value = OidInputFunctionCall(input, const_cast<char *>(core::status_name(status)), ioparam, attr->atttypmod);
    MemoryContextSwitchTo(keep);
    cache->status_values[i] = value;
    cache->have_status[i] = true;
    return value;
}

HeapTuple with_status(HeapTuple tuple, TupleDesc desc, AttrNumber attnum, Datum status) {
    int columns[1] = {attnum};
    Datum values[1] = {status};
    bool nulls[1] = {false};
    return heap_modify_tuple_by_cols(tuple, desc, 1, columns, values, nulls);
}

// The budget's identity (budget_key_json) from the row's key columns.
char *row_budget_key(const TriggerData *data, HeapTuple tuple, const BudgetColumns &columns) {
    TupleDesc desc = RelationGetDescr(data->tg_relation);
    char *values[MAX_KEY_COLUMNS];
    int lengths[MAX_KEY_COLUMNS];
    for (int i = 0; i < columns.key_count; ++i) {
        values[i] = column_text(tuple, desc, columns.keys[i]);
        lengths[i] = values[i] ? static_cast<int>(strlen(values[i])) : 0;
    }
    return error_budget::pg::budget_key_json(data, columns, values, lengths);
}

// ---- the per-transaction status cache ------------------------------------

constexpr int CACHE_KEY_SIZE = 256;
struct CachedStatus {
    char key[CACHE_KEY_SIZE];  // "<table oid>:<budget key json>"
    core::BudgetStatus status;
    // Where the budget's budget_current row is now. Rows updated many times in
    // one transaction form HOT chains that cannot be pruned until it ends; going
    // straight to the newest version by ctid keeps each transition O(1).
    ItemPointerData row;
};
HTAB *status_cache = nullptr;  // lives in TopTransactionContext

// The cache slot for a budget, or nullptr when its key is too long to cache.
CachedStatus *cached_status(Oid relid, const char *budget_key, bool *found) {
    char key[CACHE_KEY_SIZE];
    const int length = snprintf(key, sizeof key, "%u:%s", relid, budget_key);
    if (length < 0 || length >= CACHE_KEY_SIZE) return nullptr;
    if (!status_cache) {
        HASHCTL control{};
        control.keysize = CACHE_KEY_SIZE;
        control.entrysize = sizeof(CachedStatus);
        control.hcxt = TopTransactionContext;
        status_cache = hash_create("error_budget status cache", 64, &control, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
    }
    return static_cast<CachedStatus *>(hash_search(status_cache, key, HASH_ENTER, found));
}

void forget_status_cache(XactEvent, void *) { status_cache = nullptr; }

void forget_status_cache_on_subabort(SubXactEvent event, SubTransactionId, SubTransactionId, void *) {
    // A rolled-back savepoint releases the row locks and undoes the updates the
    // cache relies on.
    if (event == SUBXACT_EVENT_ABORT_SUB) status_cache = nullptr;
}

core::BudgetStatus status_labelled(const char *label) {
    if (const auto status = core::status_named(label)) return *status;
    elog(ERROR, "flag_budget: unknown budget status \"%s\"", label);
    pg_unreachable();
}

// ---- bookkeeping through SPI -------------------------------------------------

// Parameters shared by the statements below.
enum { P_TABLE, P_BUDGET, P_FROM, P_TO, P_REMAINING, P_COMPUTED_AT, P_SNAPSHOT, P_SOURCE, P_ROW, P_DIMENSIONS, P_COUNT };
const Oid parameter_types[P_COUNT] = {OIDOID,  TEXTOID, TEXTOID, TEXTOID, FLOAT8OID,
                                      TIMESTAMPTZOID, INT8OID, TEXTOID, TIDOID, JSONBOID};

// Every name is schema-qualified and every operator pinned to pg_catalog: the
// statements run under the caller's search_path.
const char *const lock_current_sql =
    "SELECT status::pg_catalog.text, ctid FROM error_budget.budget_current "
    "WHERE source OPERATOR(pg_catalog.=) $1::pg_catalog.regclass "
    "AND budget OPERATOR(pg_catalog.=) $2::pg_catalog.jsonb FOR UPDATE";
// Asked only when the status differs: did the budget log a transition computed
// after this snapshot (by id when the table has no computed_at)?
const char *const is_history_sql =
    "SELECT EXISTS (SELECT FROM error_budget.budget_events"
    " WHERE source OPERATOR(pg_catalog.=) $8 AND budget OPERATOR(pg_catalog.=) $2::pg_catalog.jsonb"
    " AND CASE WHEN $6::pg_catalog.timestamptz IS NOT NULL THEN computed_at OPERATOR(pg_catalog.>) $6"
    "          ELSE snapshot_id OPERATOR(pg_catalog.>) $7 END)";
const char *const insert_current_sql =
    "INSERT INTO error_budget.budget_current (source, budget, status) "
    "VALUES ($1::pg_catalog.regclass, $2::pg_catalog.jsonb, $4::error_budget.budget_status) "
    "ON CONFLICT (source, budget) DO NOTHING RETURNING ctid";
// One statement per transition: move the current status (not for a first
// snapshot, whose row was just inserted with it), log the event, announce it.
// (Two variants: budget_events has a dimensions column from 0.5.0 on; a database
// not yet updated to it keeps working with this library until ALTER EXTENSION UPDATE.)
#define RECORD_TRANSITION_SQL(DIMENSION_COLUMN, DIMENSION_VALUE)                                                  \
    "WITH moved AS ("                                                                                             \
    " UPDATE error_budget.budget_current SET status = $4::error_budget.budget_status, changed_at = pg_catalog.now()" \
    " WHERE $3 IS NOT NULL AND ctid OPERATOR(pg_catalog.=) $9 RETURNING ctid),"                                   \
    " logged AS ("                                                                                                \
    " INSERT INTO error_budget.budget_events"                                                                     \
    "  (source, budget, from_status, to_status, remaining, computed_at, snapshot_id" DIMENSION_COLUMN ")"          \
    " VALUES ($8, $2::pg_catalog.jsonb, $3::error_budget.budget_status, $4::error_budget.budget_status, $5,"      \
    "  COALESCE($6, pg_catalog.now()), $7" DIMENSION_VALUE ")"                                                    \
    " RETURNING *)"                                                                                               \
    "SELECT (SELECT ctid FROM moved), "                                                                           \
    " pg_catalog.pg_notify('error_budget', error_budget.budget_event_payload(logged)::pg_catalog.text) "          \
    "FROM logged"
const char *const record_transition_sql =
    RECORD_TRANSITION_SQL(", dimensions, responses", ", $10, " EB_RESPONSES_REQUEST_SQL("$8", "$2::pg_catalog.jsonb"));
const char *const record_transition_sql_before_0_5 = RECORD_TRANSITION_SQL("", "");

// Whether error_budget.budget_events has the column dimensions (0.5.0 and later).
bool events_have_dimensions() {
    const Oid schema = get_namespace_oid("error_budget", true);
    const Oid events = OidIsValid(schema) ? get_relname_relid("budget_events", schema) : InvalidOid;
    return OidIsValid(events) && get_attnum(events, "dimensions") != InvalidAttrNumber;
}

enum Statement { LOCK_CURRENT, INSERT_CURRENT, IS_HISTORY, RECORD_TRANSITION, STATEMENT_COUNT };
const char *const statement_sql[STATEMENT_COUNT] = {lock_current_sql, insert_current_sql, is_history_sql,
                                                    record_transition_sql};
SPIPlanPtr saved_plans[STATEMENT_COUNT];

int run(Statement statement, Datum *values, const char *nulls) {
    if (!saved_plans[statement]) {
        const char *sql = statement == RECORD_TRANSITION && !events_have_dimensions() ? record_transition_sql_before_0_5
                                                                                      : statement_sql[statement];
        SPIPlanPtr plan = SPI_prepare(sql, P_COUNT, const_cast<Oid *>(parameter_types));
        if (!plan) elog(ERROR, "flag_budget: could not prepare statement: %s", SPI_result_code_string(SPI_result));
        SPI_keepplan(plan);
        saved_plans[statement] = plan;
    }
    const int result = SPI_execute_plan(saved_plans[statement], values, nulls, false, 0);
    if (result < 0) elog(ERROR, "flag_budget: statement failed: %s", SPI_result_code_string(result));
    return result;
}

// The budget's current status and the place of its budget_current row.
struct CurrentStatus {
    const char *previous;  // nullptr for the budget's first snapshot
    ItemPointerData row;
};

ItemPointerData tid_column(int column) {
    bool isnull = false;
    const Datum value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, column, &isnull);
    if (isnull) elog(ERROR, "flag_budget: the budget's current-status row was not updated");
    return *reinterpret_cast<ItemPointer>(DatumGetPointer(value));
}

// Locks the budget's current-status row, creating it on the budget's first
// snapshot.
CurrentStatus lock_current_status(Datum *values, char *nulls) {
    for (int attempt = 0; attempt < 3; ++attempt) {
        run(LOCK_CURRENT, values, nulls);
        if (SPI_processed == 1)
            return CurrentStatus{SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1), tid_column(2)};
        run(INSERT_CURRENT, values, nulls);
        if (SPI_processed == 1) return CurrentStatus{nullptr, tid_column(1)};
        // Another transaction created it concurrently and has committed: lock it.
    }
    ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                    errmsg("flag_budget: could not lock the current status of budget %s",
                           TextDatumGetCString(values[P_BUDGET]))));
    pg_unreachable();
}

// Does the table hold a snapshot of the same budget computed after this one (a
// backfill written behind the latest)? One query on the table's own rows, by its
// key columns and computed_at; asked only when the status differs. The keys are
// compared as the text the budget key has, the type's output (append_key_text, as
// the statement forms compare them: a cast to text differs for some types, e.g.
// char(n) drops its padding, boolean says true for t), so a key column whose type
// has no '=' in pg_catalog, such as citext, works too; text keys, as error_budgets'
// are, are compared as they are and its index serves. The plan is kept per trigger
// and table until the table changes (flag_budget_plans.hpp).
SPIPlanPtr later_snapshot_plan(const TriggerData *data, const BudgetColumns &columns) {
    if (SPIPlanPtr *kept = error_budget::pg::kept_plans(data, error_budget::pg::FlagBudgetPlans::LaterSnapshot)) return kept[0];
    Relation rel = data->tg_relation;
    TupleDesc desc = RelationGetDescr(rel);
    Oid types[MAX_KEY_COLUMNS + 1];
    StringInfoData query;
    initStringInfo(&query);
    appendStringInfo(&query, "SELECT EXISTS (SELECT FROM %s WHERE ",
                     quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)), RelationGetRelationName(rel)));
    for (int i = 0; i < columns.key_count; ++i) {
        types[i] = TEXTOID;
        error_budget::pg::append_key_text(&query, rel, columns.keys[i],
                                          quote_identifier(NameStr(TupleDescAttr(desc, columns.keys[i] - 1)->attname)));
        appendStringInfo(&query, " OPERATOR(pg_catalog.=) $%d AND ", i + 1);
    }
    types[columns.key_count] = TIMESTAMPTZOID;
    appendStringInfo(&query, "%s OPERATOR(pg_catalog.>) $%d)",
                     quote_identifier(NameStr(TupleDescAttr(desc, columns.computed_at - 1)->attname)),
                     columns.key_count + 1);
    SPIPlanPtr plan = SPI_prepare(query.data, columns.key_count + 1, types);
    if (!plan) elog(ERROR, "flag_budget: could not prepare the later-snapshot query: %s", SPI_result_code_string(SPI_result));
    return error_budget::pg::keep_plans(data, error_budget::pg::FlagBudgetPlans::LaterSnapshot, &plan, 1)[0];
}

bool has_later_snapshot(const TriggerData *data, HeapTuple tuple, const BudgetColumns &columns) {
    if (columns.computed_at == InvalidAttrNumber) return false;
    TupleDesc desc = RelationGetDescr(data->tg_relation);
    Datum values[MAX_KEY_COLUMNS + 1];
    for (int i = 0; i < columns.key_count; ++i) {
        const char *text = column_text(tuple, desc, columns.keys[i]);
        if (text == nullptr) return false;  // a NULL key matches nothing
        values[i] = CStringGetTextDatum(text);
    }
    bool isnull = false;
    values[columns.key_count] = heap_getattr(tuple, columns.computed_at, desc, &isnull);
    if (isnull) return false;
    if (SPI_execute_plan(later_snapshot_plan(data, columns), values, nullptr, true, 1) != SPI_OK_SELECT)
        elog(ERROR, "flag_budget: could not look for later snapshots");
    return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

bool is_history(const TriggerData *data, HeapTuple tuple, const BudgetColumns &columns, Datum *values, char *nulls) {
    if (nulls[P_SNAPSHOT] == 'n' && nulls[P_COMPUTED_AT] == 'n') return false;
    run(IS_HISTORY, values, nulls);
    bool isnull = false;
    if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull))) return true;
    return has_later_snapshot(data, tuple, columns);
}

void record_status(const TriggerData *data, HeapTuple tuple, const BudgetColumns &columns,
                   core::BudgetStatus status, std::optional<double> remaining) {
    Relation rel = data->tg_relation;
    TupleDesc desc = RelationGetDescr(rel);
    char *budget = row_budget_key(data, tuple, columns);

    bool cached = false;
    CachedStatus *slot = cached_status(RelationGetRelid(rel), budget, &cached);
    if (slot && cached && slot->status == status) return;  // locked by us, unchanged

    Datum values[P_COUNT] = {};
    char nulls[P_COUNT + 1] = "          ";
    values[P_TABLE] = ObjectIdGetDatum(RelationGetRelid(rel));
    values[P_BUDGET] = CStringGetTextDatum(budget);
    values[P_TO] = CStringGetTextDatum(core::status_name(status));
    nulls[P_FROM] = 'n';
    if (remaining)
        values[P_REMAINING] = Float8GetDatum(*remaining);
    else
        nulls[P_REMAINING] = 'n';
    bool isnull = true;
    if (columns.computed_at != InvalidAttrNumber) values[P_COMPUTED_AT] = heap_getattr(tuple, columns.computed_at, desc, &isnull);
    if (isnull) nulls[P_COMPUTED_AT] = 'n';
    isnull = true;
    if (columns.snapshot_id != InvalidAttrNumber) {
        const Datum id = heap_getattr(tuple, columns.snapshot_id, desc, &isnull);
        if (!isnull) values[P_SNAPSHOT] = Int64GetDatum(error_budget::pg::snapshot_id_of(id, budget_column_type(rel, columns.snapshot_id)));
    }
    if (isnull) nulls[P_SNAPSHOT] = 'n';
    isnull = true;
    if (columns.dimensions != InvalidAttrNumber) values[P_DIMENSIONS] = heap_getattr(tuple, columns.dimensions, desc, &isnull);
    if (isnull) nulls[P_DIMENSIONS] = 'n';
    values[P_SOURCE] = CStringGetTextDatum(
        quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)), RelationGetRelationName(rel)));

    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "flag_budget: SPI_connect failed");
    // Locked earlier in this transaction: the cache knows its status and row.
    CurrentStatus current = (slot && cached) ? CurrentStatus{core::status_name(slot->status), slot->row}
                                             : lock_current_status(values, nulls);
    core::BudgetStatus now_current = status;
    if (current.previous && strcmp(current.previous, core::status_name(status)) != 0 &&
        is_history(data, tuple, columns, values, nulls)) {
        now_current = status_labelled(current.previous);  // written-back history: the budget stays as it is
    } else if (!current.previous || strcmp(current.previous, core::status_name(status)) != 0) {
        values[P_ROW] = PointerGetDatum(&current.row);
        if (current.previous) {
            values[P_FROM] = CStringGetTextDatum(current.previous);
            nulls[P_FROM] = ' ';
        }
        run(RECORD_TRANSITION, values, nulls);
        if (current.previous) current.row = tid_column(1);
    }
    SPI_finish();

    // Looked up again: SPI work may have ended a subtransaction and reset the cache.
    slot = cached_status(RelationGetRelid(rel), budget, &cached);
    if (slot) {
        slot->status = now_current;
        slot->row = current.row;
    }
}

// On UPDATE, a row whose status does not change is not a new observation.
bool status_unchanged(HeapTuple old_tuple, TupleDesc desc, AttrNumber attnum, core::BudgetStatus status) {
    const char *old_status = column_text(old_tuple, desc, attnum);
    return old_status && strcmp(old_status, core::status_name(status)) == 0;
}

}  // namespace

void error_budget::pg::forget_row_status_cache() { status_cache = nullptr; }

void error_budget::pg::register_status_cache_callbacks() {
    RegisterXactCallback(forget_status_cache, nullptr);
    RegisterSubXactCallback(forget_status_cache_on_subabort, nullptr);
}

EB_FUNCTION(flag_budget) {
    TriggerData *data = trigger_data(fcinfo);
    if (!TRIGGER_FIRED_FOR_ROW(data->tg_event))
        return error_budget::pg::record_statement_transitions(data, error_budget::pg::resolve_budget_columns(data));
    RowFormCache *cache = row_form_cache(fcinfo, data);
    const BudgetColumns &columns = cache->columns;

    const core::StatusThresholds thresholds = error_budget::pg::current_status_thresholds();
    core::validate_thresholds(thresholds);

    const bool is_update = TRIGGER_FIRED_BY_UPDATE(data->tg_event);
    HeapTuple tuple = is_update ? data->tg_newtuple : data->tg_trigtuple;
    TupleDesc desc = RelationGetDescr(data->tg_relation);
    const std::optional<double> remaining = read_remaining(tuple, desc, columns.remaining, cache->remaining_type);
    const core::BudgetStatus status = core::status_for(remaining, thresholds);

    HeapTuple result = with_status(tuple, desc, columns.status, status_value(fcinfo, cache, desc, status));
    // An INSERT into a table that also has the statement form leaves the
    // bookkeeping to it: one set-based pass per statement instead of one per row.
    if (!is_update && cache->statement_follows < 0)
        cache->statement_follows = error_budget::pg::statement_bookkeeping_follows(data, fcinfo->flinfo->fn_oid) ? 1 : 0;
    if (!is_update && cache->statement_follows == 1) return PointerGetDatum(result);
    if (!is_update || !status_unchanged(data->tg_trigtuple, desc, columns.status, status))
        record_status(data, result, columns, status, remaining);
    return PointerGetDatum(result);
}
