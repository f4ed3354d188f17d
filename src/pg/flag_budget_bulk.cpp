// flag_budget(remaining_column, status_column [, key_column ...]) as an
// AFTER INSERT ... REFERENCING NEW TABLE AS <name> FOR EACH STATEMENT trigger:
// the bookkeeping of all the snapshots one INSERT (or COPY) wrote, set-based. The
// row form (BEFORE INSERT OR UPDATE ... FOR EACH ROW) still sets each status and
// keeps the bookkeeping of UPDATEs; on INSERT it sees this trigger and leaves the
// bookkeeping to it (statement_bookkeeping_follows).
//
// Same semantics as the row form (flag_budget_trigger.cpp), for every budget the
// statement touched:
//   * its snapshots are taken in computed_at order (then in the order written);
//   * a snapshot is history, neither logged nor announced nor changing the current
//     status, when the budget already had something later before the statement:
//     a logged transition computed after it, or a snapshot in the table computed
//     after it (the statement's own rows do not count);
//   * every other snapshot whose status differs from the one before it (the
//     budget's current status for the first) is a transition: logged to
//     budget_events in that order, and the budget's budget_current row ends with
//     the last status. A budget's first snapshot is a transition from NULL.
//
// Statements whose rows and budgets fit in work_mem are done by
// flag_budget_in_memory.cpp (rows ordered in C, one locking query). Larger ones,
// here, in two set-based statements whose sorts and hashes spill to disk:
//   1. lock: SELECT ... FOR UPDATE of the budgets' budget_current rows that exist,
//      in the order of their keys (two bulk writers never deadlock on each other);
//   2. with a snapshot taken after the locks (READ COMMITTED then sees every
//      transition a previous holder committed): for the budgets that exist, judge
//      history, log the transitions, move the current statuses; for the new ones,
//      INSERT ... ON CONFLICT DO NOTHING their budget_current rows with their last
//      status and log their transitions. A budget another session created
//      meanwhile conflicts: both statements run again for those budgets alone
//      (their rows now exist; under REPEATABLE READ the conflict is already a
//      serialization failure).
// Nothing in this file holds per-budget state: the statements do all the work,
// so memory does not grow with the number of budgets.
//
// NOTIFY at scale: the first error_budget.notify_limit transitions of a statement
// (in event id order) are announced one by one, and so is every transition to
// escalated or exhausted, whatever their number: a pager never misses an
// escalation. When transitions were left unannounced, one summary notification
// follows: {"summary": true, "source", "transitions", "announced",
// "first_event_id", "last_event_id"} — the events table holds every one.
#include "flag_budget_bulk.hpp"
#include "flag_budget_plans.hpp"
#include "flag_budget_trigger.hpp"

#include "status_gucs.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_subscription_rel.h"
#include "catalog/pg_trigger.h"
#include "utils/fmgrprotos.h"
#include "replication/logicalworker.h"
#include "replication/worker_internal.h"
}

namespace error_budget::pg {

namespace {

[[noreturn]] void misuse(const char *message) {
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED), errmsg("%s", message),
                    errhint("%s", flag_budget_usage_hint())));
    pg_unreachable();
}

bool fires_now(char enabled) {
    if (enabled == TRIGGER_DISABLED) return false;
    if (enabled == TRIGGER_FIRES_ALWAYS) return true;
    const bool replica = SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA;
    return enabled == TRIGGER_FIRES_ON_REPLICA ? replica : !replica;
}

bool is_statement_form(const Trigger *trigger, Oid function) {
    return trigger->tgfoid == function && !TRIGGER_FOR_ROW(trigger->tgtype) && TRIGGER_FOR_AFTER(trigger->tgtype) &&
           TRIGGER_FOR_INSERT(trigger->tgtype) && trigger->tgnewtable != nullptr;
}

}  // namespace

// In event id order (the order they were inserted in, which is the order their
// ids were drawn; no sort): the first `limit` transitions of CTE logged, and every
// escalation; the row is (transitions, announced, first event id, last event id
// [, extra column]).
char *announce_logged_sql(const char *limit, const char *extra_column) {
    return psprintf(" SELECT pg_catalog.count(*)::pg_catalog.int8,"
                    " pg_catalog.count(pg_catalog.pg_notify('error_budget', a.payload)) FILTER (WHERE a.payload IS NOT NULL)"
                    "  ::pg_catalog.int8, pg_catalog.min(a.id), pg_catalog.max(a.id)%s"
                    " FROM (SELECT l.id, CASE WHEN pg_catalog.row_number() OVER () OPERATOR(pg_catalog.<=) %s"
                    "  OR l.to_status OPERATOR(pg_catalog.>=) 'escalated'::error_budget.budget_status"
                    "  THEN error_budget.budget_event_payload(l)::pg_catalog.text END AS payload FROM logged l) AS a",
                    extra_column, limit);
}

// Whether a key column is text or varchar (taken as it is).
static bool is_text(Relation rel, AttrNumber attnum) {
    const Oid type = budget_column_type(rel, attnum);
    return type == TEXTOID || type == VARCHAROID;
}

// A value as the text of the budget key: itself for text and varchar, otherwise
// its type's output (format's %s), as the row form prints it.
void append_key_text(StringInfo sql, Relation rel, AttrNumber attnum, const char *value) {
    if (is_text(rel, attnum))
        appendStringInfoString(sql, value);
    else
        appendStringInfo(sql, "CASE WHEN %1$s IS NULL THEN NULL ELSE pg_catalog.format('%%s', %1$s) END", value);
}

namespace {

// ---- SQL of the statements ---------------------------------------------------
//
// Per row the statements carry the key columns as they are (k1, k2, ...), sorted
// and grouped with the "C" collation; the budget's jsonb key is built once per
// budget. One sort per statement orders each budget's rows by (computed_at, order
// written) and gives each row the status before it (previous).

const char *column_name(Relation rel, AttrNumber attnum) {
    return quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attname));
}


// alias.k<i>
char *key_ref(const char *alias, int i) { return psprintf("%s.k%d", alias, i + 1); }

// The budget's identity, as budget_current keys it: {"key column": "value", ...},
// from the key columns k1, k2, ... of `alias`.
void append_budget_key(StringInfo sql, const TriggerData *data, const BudgetColumns &columns, const char *alias) {
    if (columns.key_count == 0) {
        appendStringInfoString(sql, "'{}'::pg_catalog.jsonb");
        return;
    }
    appendStringInfoString(sql, "pg_catalog.jsonb_build_object(");
    for (int i = 0; i < columns.key_count; ++i) {
        appendStringInfo(sql, "%s%s, ", i > 0 ? ", " : "", quote_literal_cstr(data->tg_trigger->tgargs[2 + i]));
        append_key_text(sql, data->tg_relation, columns.keys[i], key_ref(alias, i));
    }
    appendStringInfoChar(sql, ')');
}

// The key columns for ORDER BY / PARTITION BY (text in the "C" collation: byte
// order, cheap, the same in every session); a constant when there are none.
void append_key_order(StringInfo sql, const TriggerData *data, const BudgetColumns &columns, const char *alias) {
    if (columns.key_count == 0) {
        appendStringInfoString(sql, "true");
        return;
    }
    // (the text of non-text keys, so that flag_budget_in_memory.cpp locks in the same order)
    for (int i = 0; i < columns.key_count; ++i) {
        appendStringInfoString(sql, i > 0 ? ", " : "");
        append_key_text(sql, data->tg_relation, columns.keys[i], key_ref(alias, i));
        appendStringInfoString(sql, " COLLATE \"C\"");
    }
}

// a and b are the same budget (NULL key values match each other, as in the key).
void append_same_budget(StringInfo sql, const TriggerData *data, const BudgetColumns &columns, const char *a,
                        const char *b) {
    Relation rel = data->tg_relation;
    appendStringInfoString(sql, "true");
    for (int i = 0; i < columns.key_count; ++i) {
        const AttrNumber attnum = columns.keys[i];
        StringInfoData left, right;
        initStringInfo(&left);
        initStringInfo(&right);
        append_key_text(&left, rel, attnum, key_ref(a, i));
        append_key_text(&right, rel, attnum, key_ref(b, i));
        if (TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attnotnull)
            appendStringInfo(sql, " AND %s OPERATOR(pg_catalog.=) %s", left.data, right.data);
        else
            appendStringInfo(sql,
                             " AND (%1$s IS NULL) OPERATOR(pg_catalog.=) (%2$s IS NULL)"
                             " AND COALESCE(%3$s, '') OPERATOR(pg_catalog.=) COALESCE(%4$s, '')",
                             key_ref(a, i), key_ref(b, i), left.data, right.data);
    }
}

// Parameters: $1 the table (regclass), $2 the budgets to handle (jsonb[], NULL:
// all), $3 the table's qualified name (budget_events.source), $4 how many
// transitions may still be announced one by one.
constexpr int PARAMETER_COUNT = 4;
const Oid parameter_types[PARAMETER_COUNT] = {OIDOID, JSONBARRAYOID, TEXTOID, INT8OID};

// The key columns of the transition table as k1, k2, ...
void append_key_columns(StringInfo sql, const TriggerData *data, const BudgetColumns &columns) {
    for (int i = 0; i < columns.key_count; ++i)
        appendStringInfo(sql, "t.%s AS k%d, ", column_name(data->tg_relation, columns.keys[i]), i + 1);
}

// n: the statement's rows in order per budget; b: one row per budget (its last),
// restricted to $2, with its jsonb key.
void append_rows_and_budgets(StringInfo sql, const TriggerData *data, const BudgetColumns &columns) {
    Relation rel = data->tg_relation;
    // Only what ordering needs goes through the sort; a transition's other values
    // are read back by its row number (append_log_and_announce).
    const bool by_time = columns.computed_at != InvalidAttrNumber;
    appendStringInfo(sql, "WITH n AS MATERIALIZED (SELECT x.*,"
                          " pg_catalog.lag(x.status) OVER w AS previous, pg_catalog.lag(x.%s) OVER w AS prev_%s,"
                          " pg_catalog.lead(x.ord) OVER w IS NULL AS is_last,"
                          " pg_catalog.min(x.status) OVER p AS min_status, pg_catalog.max(x.status) OVER p AS max_status,"
                          " pg_catalog.min(x.at) OVER p AS first_at FROM (SELECT ",
                     by_time ? "at" : "snapshot_id", by_time ? "at" : "id");
    append_key_columns(sql, data, columns);
    appendStringInfo(sql, "t.%s::pg_catalog.text AS status, ", column_name(rel, columns.status));
    if (by_time)
        appendStringInfo(sql, "COALESCE(t.%s, pg_catalog.now()) AS at, ", column_name(rel, columns.computed_at));
    else if (columns.snapshot_id != InvalidAttrNumber)
        appendStringInfo(sql, "pg_catalog.now() AS at, t.%s::pg_catalog.int8 AS snapshot_id, ",
                         column_name(rel, columns.snapshot_id));
    else
        appendStringInfoString(sql, "pg_catalog.now() AS at, NULL::pg_catalog.int8 AS snapshot_id, ");
    appendStringInfo(sql, "pg_catalog.row_number() OVER () AS ord FROM %s t) AS x WINDOW p AS (PARTITION BY ",
                     quote_identifier(data->tg_trigger->tgnewtable));
    append_key_order(sql, data, columns, "x");
    appendStringInfoString(sql, "), w AS (p ORDER BY x.at, x.ord))"
                                ", b AS MATERIALIZED (SELECT * FROM (SELECT ");
    append_budget_key(sql, data, columns, "x");
    appendStringInfoString(sql, " AS budget, ");
    for (int i = 0; i < columns.key_count; ++i) appendStringInfo(sql, "x.k%d, ", i + 1);
    appendStringInfoString(sql, "x.status AS last_status, x.min_status, x.max_status, x.first_at FROM n x WHERE x.is_last) AS y"
                                " WHERE $2::pg_catalog.jsonb[] IS NULL OR y.budget OPERATOR(pg_catalog.=) ANY ($2))");
}

// Logs the transitions (CTE `transitions`: budget, status, from_status, remaining,
// at, snapshot_id, dimensions, ord) in (computed_at, order written) order and
// announces them; the result row is (transitions, announced, first event id, last
// event id[, extra_column]). A transition of error_budgets whose SLO has predefined
// responses asks the budget_events trigger to start and end them (responses '{}',
// which it replaces).
// (The statement form exists from 0.7.0 on: budget_events has dimensions and responses.)
void append_log_and_announce(StringInfo sql, const TriggerData *data, const BudgetColumns &columns,
                             const char *extra_column = "") {
    Relation rel = data->tg_relation;
    appendStringInfo(sql, ", v AS (SELECT pg_catalog.row_number() OVER () AS ord, t.%s::pg_catalog.float8 AS remaining, %s AS snapshot_id, %s AS dimensions FROM %s t)",
                     column_name(rel, columns.remaining),
                     columns.snapshot_id != InvalidAttrNumber ? psprintf("t.%s::pg_catalog.int8", column_name(rel, columns.snapshot_id))
                                                              : "NULL::pg_catalog.int8",
                     columns.dimensions != InvalidAttrNumber ? psprintf("t.%s", column_name(rel, columns.dimensions))
                                                             : "NULL::pg_catalog.jsonb",
                     quote_identifier(data->tg_trigger->tgnewtable));
    appendStringInfo(sql,
                     ", logged AS (INSERT INTO error_budget.budget_events"
                     " (source, budget, from_status, to_status, remaining, computed_at, snapshot_id, dimensions, responses)"
                     " SELECT $3, w.budget, w.from_status::error_budget.budget_status, w.status::error_budget.budget_status,"
                     " v.remaining, w.at, v.snapshot_id, v.dimensions, " EB_RESPONSES_REQUEST_SQL("$3", "w.budget")
                     " FROM transitions w JOIN v ON v.ord OPERATOR(pg_catalog.=) w.ord"
                     " ORDER BY w.at, w.ord RETURNING *)%s",
                     announce_logged_sql("$4", extra_column));
}

// Statement 1: lock the existing budgets' current statuses, in key order.
char *lock_sql(const TriggerData *data, const BudgetColumns &columns) {
    StringInfoData sql;
    initStringInfo(&sql);
    appendStringInfoString(&sql, "SELECT pg_catalog.count(*) FROM (SELECT FROM error_budget.budget_current c JOIN (SELECT ");
    append_budget_key(&sql, data, columns, "d");
    appendStringInfoString(&sql, " AS budget");
    for (int i = 0; i < columns.key_count; ++i) appendStringInfo(&sql, ", d.k%d", i + 1);
    // (DISTINCT on the keys' text, as the budget key has them: a key type without
    // an equality operator, json or point, is a key like any other)
    appendStringInfoString(&sql, " FROM (SELECT DISTINCT ");
    for (int i = 0; i < columns.key_count; ++i) {
        appendStringInfoString(&sql, i > 0 ? ", " : "");
        append_key_text(&sql, data->tg_relation, columns.keys[i], psprintf("t.%s", column_name(data->tg_relation, columns.keys[i])));
        appendStringInfo(&sql, " AS k%d", i + 1);
    }
    if (columns.key_count == 0) appendStringInfoString(&sql, "true");
    appendStringInfo(&sql,
                     " FROM %s t) AS d) AS b ON c.budget OPERATOR(pg_catalog.=) b.budget"
                     " WHERE c.source OPERATOR(pg_catalog.=) $1::pg_catalog.regclass"
                     " AND ($2::pg_catalog.jsonb[] IS NULL OR b.budget OPERATOR(pg_catalog.=) ANY ($2)) ORDER BY ",
                     quote_identifier(data->tg_trigger->tgnewtable));
    append_key_order(&sql, data, columns, "b");
    appendStringInfoString(&sql, " FOR UPDATE OF c) AS locked");
    return sql.data;
}

// latest.after: what the budget had later than its first snapshot in this
// statement, before the statement (NULL: nothing), for the candidates k. By time:
// a logged transition or a snapshot in the table (not one of the statement's own);
// on tables without computed_at, by snapshot id: a logged transition.
void append_latest_before(StringInfo sql, const TriggerData *data, const BudgetColumns &columns) {
    Relation rel = data->tg_relation;
    if (columns.computed_at == InvalidAttrNumber) {
        appendStringInfoString(sql,
                               ", latest AS (SELECT k.budget, (SELECT pg_catalog.max(e.snapshot_id) FROM error_budget.budget_events e"
                               " WHERE e.source OPERATOR(pg_catalog.=) $3 AND e.budget OPERATOR(pg_catalog.=) k.budget) AS after"
                               " FROM cand k)");
        return;
    }
    // Anti-joins, not NOT IN: a NOT IN whose hash table outgrows work_mem is
    // probed row by row, quadratic in the statement's size.
    const char *at = column_name(rel, columns.computed_at);
    // (a lateral sub-select kept apart by OFFSET 0: an index scan per candidate)
    appendStringInfo(sql, ", later AS (SELECT k.budget, t.%s AS at FROM cand k CROSS JOIN LATERAL (SELECT t.* FROM %s t WHERE ", at,
                     quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)), RelationGetRelationName(rel)));
    for (int i = 0; i < columns.key_count; ++i) {
        append_key_text(sql, rel, columns.keys[i], psprintf("t.%s", column_name(rel, columns.keys[i])));
        appendStringInfo(sql, " OPERATOR(pg_catalog.=) (k.budget OPERATOR(pg_catalog.->>) %s) AND ",
                         quote_literal_cstr(data->tg_trigger->tgargs[2 + i]));
    }
    appendStringInfo(sql, "t.%s OPERATOR(pg_catalog.>) k.first_at OFFSET 0) t)", at);
    appendStringInfoString(sql, ", mine AS (SELECT k.budget, x.at FROM n x JOIN cand k ON ");
    append_same_budget(sql, data, columns, "x", "k");
    appendStringInfoString(sql,
                           ")"
                           // the statement's own rows are not "later"
                           ", table_latest AS (SELECT l.budget, pg_catalog.max(l.at) AS at FROM later l WHERE NOT EXISTS"
                           " (SELECT FROM mine m WHERE m.budget OPERATOR(pg_catalog.=) l.budget AND m.at OPERATOR(pg_catalog.=) l.at)"
                           " GROUP BY l.budget)"
                           ", latest AS (SELECT k.budget, GREATEST("
                           "(SELECT pg_catalog.max(e.computed_at) FROM error_budget.budget_events e"
                           " WHERE e.source OPERATOR(pg_catalog.=) $3 AND e.budget OPERATOR(pg_catalog.=) k.budget), tl.at) AS after"
                           " FROM cand k LEFT JOIN table_latest tl ON tl.budget OPERATOR(pg_catalog.=) k.budget)");
}

// Statement 2, with a snapshot taken after the locks: the budgets that exist
// (history judged, transitions logged, current statuses moved) and those that do
// not yet (INSERT ... ON CONFLICT DO NOTHING of their current status, every
// status change logged). Its last column lists the budgets another session
// created meanwhile (NULL when none).
char *process_sql(const TriggerData *data, const BudgetColumns &columns) {
    const bool by_time = columns.computed_at != InvalidAttrNumber;
    StringInfoData sql;
    initStringInfo(&sql);
    append_rows_and_budgets(&sql, data, columns);
    appendStringInfoString(&sql,
                           // (cur carries b's columns: joining the two again would sort both by jsonb)
                           ", cur AS MATERIALIZED (SELECT b.*, c.status::pg_catalog.text AS current_status"
                           " FROM error_budget.budget_current c JOIN b ON c.budget OPERATOR(pg_catalog.=) b.budget"
                           " WHERE c.source OPERATOR(pg_catalog.=) $1::pg_catalog.regclass ORDER BY ");
    append_key_order(&sql, data, columns, "b");
    appendStringInfoString(&sql,
                           " FOR UPDATE OF c)"
                           // existing budgets with a snapshot whose status is not the current one
                           ", cand AS MATERIALIZED (SELECT * FROM cur c"
                           " WHERE NOT (c.min_status OPERATOR(pg_catalog.=) c.current_status"
                           " AND c.max_status OPERATOR(pg_catalog.=) c.current_status))");
    append_latest_before(&sql, data, columns);
    // History comes first in each budget's order: the first news row compares with
    // the current status, the others with the row before.
    appendStringInfoString(&sql, ", r AS (SELECT x.*, k.budget, k.current_status, l.after FROM n x JOIN cand k ON ");
    append_same_budget(&sql, data, columns, "x", "k");
    appendStringInfo(&sql,
                     " JOIN latest l ON l.budget OPERATOR(pg_catalog.=) k.budget)"
                     ", changed AS (SELECT * FROM (SELECT r.budget, r.status, r.at, r.ord, CASE WHEN r.previous IS NULL OR COALESCE(%1$s OPERATOR(pg_catalog.<) r.after, false)"
                     " THEN r.current_status ELSE r.previous END AS from_status"
                     " FROM r WHERE NOT COALESCE(%2$s OPERATOR(pg_catalog.<) r.after, false)) AS q"
                     " WHERE (q.status OPERATOR(pg_catalog.<>) q.from_status OR (q.status IS NULL) OPERATOR(pg_catalog.<>) (q.from_status IS NULL)))"
                     ", moved AS (UPDATE error_budget.budget_current c"
                     " SET status = k.last_status::error_budget.budget_status, changed_at = pg_catalog.now() FROM cand k"
                     " WHERE k.budget OPERATOR(pg_catalog.=) ANY (SELECT t.budget FROM changed t)"
                     " AND c.source OPERATOR(pg_catalog.=) $1::pg_catalog.regclass AND c.budget OPERATOR(pg_catalog.=) k.budget)",
                     by_time ? "r.prev_at" : "r.prev_id", by_time ? "r.at" : "r.snapshot_id");
    appendStringInfoString(&sql,
                           ", fresh AS MATERIALIZED (SELECT b.* FROM b WHERE NOT EXISTS (SELECT FROM cur c WHERE c.budget OPERATOR(pg_catalog.=) b.budget))"
                           ", created AS (INSERT INTO error_budget.budget_current AS c (source, budget, status)"
                           " SELECT $1::pg_catalog.regclass, f.budget, f.last_status::error_budget.budget_status FROM fresh f ORDER BY ");
    append_key_order(&sql, data, columns, "f");
    appendStringInfoString(&sql,
                           " ON CONFLICT (source, budget) DO NOTHING RETURNING c.budget)"
                           ", transitions AS (SELECT * FROM changed UNION ALL"
                           " SELECT k.budget, x.status, x.at, x.ord,"
                           " x.previous AS from_status FROM n x JOIN fresh k ON ");
    append_same_budget(&sql, data, columns, "x", "k");
    appendStringInfoString(&sql,
                           " WHERE k.budget OPERATOR(pg_catalog.=) ANY (SELECT c.budget FROM created c)"
                           " AND (x.status OPERATOR(pg_catalog.<>) x.previous OR (x.status IS NULL) OPERATOR(pg_catalog.<>) (x.previous IS NULL)))");
    append_log_and_announce(&sql, data, columns,
                            ", (SELECT pg_catalog.array_agg(f.budget) FROM fresh f"
                            " WHERE NOT EXISTS (SELECT FROM created c WHERE c.budget OPERATOR(pg_catalog.=) f.budget))");
    return sql.data;
}

// ---- prepared plans ------------------------------------------------------------

enum Statement { LOCK, PROCESS, STATEMENT_COUNT };

// This path only runs statements too large for the in-memory one: each run is
// planned for its size (planning costs little next to its work).
SPIPlanPtr prepare(const char *sql) {
    SPIPlanPtr plan = SPI_prepare_cursor(sql, PARAMETER_COUNT, const_cast<Oid *>(parameter_types), CURSOR_OPT_CUSTOM_PLAN);
    if (!plan) elog(ERROR, "flag_budget: could not prepare a bookkeeping statement: %s", SPI_result_code_string(SPI_result));
    return plan;  // (kept by keep_plans once both are made)
}

// The statements' plans, copied into `plans` (see flag_budget_plans.hpp).
void plans_for(const TriggerData *data, const BudgetColumns &columns, SPIPlanPtr *plans) {
    if (SPIPlanPtr *kept = kept_plans(data, FlagBudgetPlans::SetBased)) {
        for (int i = 0; i < STATEMENT_COUNT; ++i) plans[i] = kept[i];
        return;
    }
    plans[LOCK] = prepare(lock_sql(data, columns));
    plans[PROCESS] = prepare(process_sql(data, columns));
    keep_plans(data, FlagBudgetPlans::SetBased, plans, STATEMENT_COUNT);
}

// ---- running them --------------------------------------------------------------

using Tally = BookkeepingTally;

int64 int8_column(int column, bool *isnull) {
    const Datum value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, column, isnull);
    return *isnull ? 0 : DatumGetInt64(value);
}

void run(SPIPlanPtr plan, Datum *values, const char *nulls, Tally *tally) {
    const int result = SPI_execute_plan(plan, values, nulls, false, 0);
    if (result < 0) elog(ERROR, "flag_budget: a bookkeeping statement failed: %s", SPI_result_code_string(result));
    if (tally) add_logged(tally);
}

}  // namespace

void add_logged(BookkeepingTally *tally) {
    if (SPI_processed != 1) return;
    bool isnull = false;
    const int64 transitions = int8_column(1, &isnull);
    const int64 announced = int8_column(2, &isnull);
    tally->transitions += transitions;
    tally->announced += announced;
    const int64 first = int8_column(3, &isnull);
    if (!isnull && (tally->first_event == 0 || first < tally->first_event)) tally->first_event = first;
    const int64 last = int8_column(4, &isnull);
    if (!isnull && last > tally->last_event) tally->last_event = last;
}

void announce_summary(const BookkeepingTally &tally, Datum source) {
    Datum values[5] = {source, Int64GetDatum(tally.transitions), Int64GetDatum(tally.announced),
                       Int64GetDatum(tally.first_event), Int64GetDatum(tally.last_event)};
    const Oid types[5] = {TEXTOID, INT8OID, INT8OID, INT8OID, INT8OID};
    const int result = SPI_execute_with_args(
        "SELECT pg_catalog.pg_notify('error_budget', pg_catalog.json_build_object('summary', true, 'source', $1,"
        " 'transitions', $2, 'announced', $3, 'first_event_id', $4, 'last_event_id', $5)::pg_catalog.text)",
        5, const_cast<Oid *>(types), values, nullptr, false, 0);
    if (result < 0) elog(ERROR, "flag_budget: could not send the summary notification");
}

namespace {

// The trigger nesting depth (pg_trigger_depth(): 1 in a trigger fired by the
// statement itself, more in one fired by a statement that another trigger runs).
int trigger_depth() {
    LOCAL_FCINFO(fcinfo, 0);
    InitFunctionCallInfoData(*fcinfo, nullptr, 0, InvalidOid, nullptr, nullptr);
    return DatumGetInt32(pg_trigger_depth(fcinfo));
}

// Whether this row is one a logical replication worker applies row by row: those
// fire row triggers only, never statement triggers. A table synchronization worker
// first copies the table like COPY (both forms fire), then applies the changes made
// meanwhile row by row, as the apply worker does. A statement that a trigger runs in
// such a worker (an ALWAYS trigger on another replicated table inserting snapshots)
// is an ordinary one: its statement form fires, so its row form leaves it the rows.
bool applying_replicated_rows() {
    if (!IsLogicalWorker() || trigger_depth() > 1) return false;
    if (!am_tablesync_worker()) return true;
    SpinLockAcquire(&MyLogicalRepWorker->relmutex);
    const char state = MyLogicalRepWorker->relstate;
    SpinLockRelease(&MyLogicalRepWorker->relmutex);
    return state != SUBREL_STATE_DATASYNC;  // DATASYNC: the copy
}

}  // namespace

bool statement_bookkeeping_follows(const TriggerData *row_trigger, Oid function) {
    // On a subscriber whose flag_budget triggers are ENABLE ALWAYS or REPLICA, the
    // row form does all the bookkeeping of applied rows.
    if (applying_replicated_rows()) return false;
    const TriggerDesc *triggers = row_trigger->tg_relation->trigdesc;
    if (!triggers || !triggers->trig_insert_new_table) return false;
    for (int i = 0; i < triggers->numtriggers; ++i) {
        const Trigger *trigger = &triggers->triggers[i];
        if (is_statement_form(trigger, function) && fires_now(trigger->tgenabled)) return true;
    }
    return false;
}

Datum record_statement_transitions(TriggerData *data, const BudgetColumns &columns) {
    const TriggerEvent event = data->tg_event;
    if (!TRIGGER_FIRED_AFTER(event) || !TRIGGER_FIRED_BY_INSERT(event) || data->tg_trigger->tgnewtable == nullptr)
        misuse("flag_budget FOR EACH STATEMENT must be an AFTER INSERT trigger with REFERENCING NEW TABLE");
    if (!data->tg_newtable || tuplestore_tuple_count(data->tg_newtable) == 0) return PointerGetDatum(nullptr);
    forget_row_status_cache();

    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "flag_budget: SPI_connect failed");
    if (SPI_register_trigger_data(data) != SPI_OK_TD_REGISTER)
        elog(ERROR, "flag_budget: could not register the transition table");
    Relation rel = data->tg_relation;
    const int limit = current_notify_limit();
    Datum values[PARAMETER_COUNT] = {
        ObjectIdGetDatum(RelationGetRelid(rel)), 0,
        CStringGetTextDatum(quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
                                                       RelationGetRelationName(rel))),
        0};
    char nulls[PARAMETER_COUNT + 1] = " n  ";
    Tally tally;
    if (record_in_memory(data, columns, values[2], limit, &tally)) {
        if (tally.transitions > tally.announced) announce_summary(tally, values[2]);
        SPI_finish();
        return PointerGetDatum(nullptr);
    }
    SPIPlanPtr plans[STATEMENT_COUNT];
    plans_for(data, columns, plans);
    for (int attempt = 0;; ++attempt) {
        run(plans[LOCK], values, nulls, nullptr);
        values[3] = Int64GetDatum(limit - tally.announced);
        run(plans[PROCESS], values, nulls, &tally);
        bool isnull = true;
        const Datum unresolved = SPI_processed == 1 ? SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5, &isnull)
                                                    : Datum(0);
        if (isnull) break;
        if (attempt == 2)
            ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                            errmsg("flag_budget: could not lock the current status of budgets created concurrently")));
        // Budgets another session created meanwhile: once more, for them alone.
        values[1] = unresolved;
        nulls[1] = ' ';
    }
    if (tally.transitions > tally.announced) announce_summary(tally, values[2]);
    SPI_finish();
    return PointerGetDatum(nullptr);
}

}  // namespace error_budget::pg
