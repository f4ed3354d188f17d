// The statement form of flag_budget when its rows and budgets fit in work_mem (a
// daily run of thousands of budgets, a backfill of some budgets' history): the same bookkeeping
// as the set-based statements of flag_budget_bulk.cpp, with the rows ordered in
// C and at most four small SPI statements (usually one):
//   1. lock the budgets' budget_current rows: one query over an array of keys, in
//      the same key order as the set-based path (no deadlock between the two);
//   2. create the rows of new budgets (INSERT ... ON CONFLICT DO NOTHING); one that
//      another session created meanwhile is locked and treated as existing;
//   3. only for existing budgets whose status may change: what each had later
//      than its first snapshot here (a logged transition, or a snapshot in the
//      table that is not one of this statement's), read after the locks;
//   4. only when there are transitions: move the current statuses, log the
//      transitions, announce them (the same NOTIFY rules).
// Semantics, history rule and event order are those of flag_budget_bulk.cpp (the
// regress suite flag_budget_bulk checks both paths against the row form). Memory:
// 32 bytes a row (rows are counted in the transition table anyway) and one entry
// per budget, taken only when that fits in work_mem.
#include <algorithm>
#include <cstring>

#include "../core/budget_status.hpp"
#include "flag_budget_bulk.hpp"
#include "flag_budget_plans.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "common/hashfn.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
}

namespace core = error_budget::core;

namespace error_budget::pg {

namespace {

// What this path holds in memory: about 32 bytes a row and 256 a budget. It is
// taken when that fits in work_mem; beyond, the set-based statements run, whose
// sorts and hashes spill to disk.
constexpr int64 BYTES_PER_ROW = 32;
constexpr int64 BYTES_PER_BUDGET = 256;
int64 work_mem_bytes() { return static_cast<int64>(work_mem) * 1024; }

struct Budget {
    char **parts;    // key values as text (nullptr: NULL)
    int *lengths;
    Datum jsonb;     // the budget key, {"vertical": "sales", ...}, once made (0 before)
    int rank;        // place in key order
    int current;     // current status (-1: new budget)
    bool created;    // its budget_current row was created by this statement
    bool candidate;  // exists and a snapshot has another status
    bool has_after;
    int64 after;     // what it had later before this statement (time, or snapshot id)
};

struct Row {
    int64 at;           // computed_at, or now()
    int64 snapshot_id;  // INT64_MAX without id
    int32 budget;
    int32 ord;          // 1-based position in the statement
    int32 status;
};

struct Transition {
    int64 at;
    int32 ord;
    int32 budget;
    int32 from;  // -1: a first snapshot
    int32 to;
};

constexpr core::BudgetStatus statuses[] = {core::BudgetStatus::NoData, core::BudgetStatus::Ok, core::BudgetStatus::Blocked,
                                           core::BudgetStatus::Escalated, core::BudgetStatus::Exhausted};

const char *status_label(int status) { return core::status_name(statuses[status]); }

// The status a label names, as an index into `statuses` (their order is the enum's).
static_assert(static_cast<int>(core::BudgetStatus::Exhausted) == 4 && static_cast<int>(core::BudgetStatus::NoData) == 0,
              "statuses[] follows core::BudgetStatus");
int status_code(const char *label, int length) {
    if (const auto status = core::status_named(std::string_view(label, length))) return static_cast<int>(*status);
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("flag_budget: unknown budget status \"%.*s\"", length, label)));
    pg_unreachable();
}

// Key order: byte order of the key texts, NULL last (ORDER BY ... COLLATE "C").
int compare_keys(const Budget &a, const Budget &b, int key_count) {
    for (int i = 0; i < key_count; ++i) {
        if (!a.parts[i] || !b.parts[i]) {
            if (a.parts[i] == b.parts[i]) continue;
            return a.parts[i] ? -1 : 1;
        }
        const int common = std::min(a.lengths[i], b.lengths[i]);
        const int c = memcmp(a.parts[i], b.parts[i], common);
        if (c != 0) return c;
        if (a.lengths[i] != b.lengths[i]) return a.lengths[i] < b.lengths[i] ? -1 : 1;
    }
    return 0;
}

// Everything the statement wrote, in C.
struct Statement {
    TriggerData *data;
    const BudgetColumns *columns;
    Budget *budgets;
    int budget_count;
    int *by_rank;  // budget index by rank
    Row *rows;
    int64 row_count;
    bool by_time;
    int reader;  // the transition table's read pointer (rewindable)
    // Short-lived allocations (a row's key texts, a jsonb key's making), reset often:
    // thousands of budgets would otherwise leave megabytes.
    MemoryContext scratch;
};

// The text of a key column's value (as the budget key prints it): the bytes of a
// text or varchar value, the type's output otherwise.
bool key_part(TupleTableSlot *slot, AttrNumber attnum, bool is_text, FmgrInfo *output, char **bytes, int *length) {
    bool isnull = false;
    const Datum value = slot_getattr(slot, attnum, &isnull);
    if (isnull) return false;
    if (is_text) {
        text *t = DatumGetTextPP(value);
        *bytes = VARDATA_ANY(t);
        *length = VARSIZE_ANY_EXHDR(t);
    } else {
        *bytes = OutputFunctionCall(output, value);
        *length = strlen(*bytes);
    }
    return true;
}

// Reads the transition table: rows and budgets. False when there are too many budgets.
bool read_statement(Statement *s) {
    TriggerData *data = s->data;
    const BudgetColumns &columns = *s->columns;
    Relation rel = data->tg_relation;
    TupleDesc desc = RelationGetDescr(rel);
    Tuplestorestate *store = data->tg_newtable;
    const int key_count = columns.key_count;

    // What each row needs to know of the columns, looked up once.
    FmgrInfo outputs[MAX_KEY_COLUMNS];
    bool key_is_text[MAX_KEY_COLUMNS];
    for (int i = 0; i < key_count; ++i) {
        const Oid type = budget_column_type(rel, columns.keys[i]);
        key_is_text[i] = type == TEXTOID || type == VARCHAROID;
        Oid function = InvalidOid;
        bool varlena = false;
        getTypeOutputInfo(TupleDescAttr(desc, columns.keys[i] - 1)->atttypid, &function, &varlena);
        fmgr_info(function, &outputs[i]);
    }
    const bool status_is_text = budget_column_type(rel, columns.status) == TEXTOID ||
                                budget_column_type(rel, columns.status) == VARCHAROID;
    Oid enum_values[5] = {InvalidOid, InvalidOid, InvalidOid, InvalidOid, InvalidOid};
    const TimestampTz now = GetCurrentTransactionStartTimestamp();

    const int max_budgets = static_cast<int>(std::min<int64>(s->row_count, work_mem_bytes() / BYTES_PER_BUDGET));
    int table_size = 16;  // open addressing, at least twice the budgets
    while (table_size < 2 * max_budgets) table_size *= 2;
    s->budgets = static_cast<Budget *>(palloc0(sizeof(Budget) * (max_budgets + 1)));
    s->rows = static_cast<Row *>(palloc(sizeof(Row) * s->row_count));
    int *table = static_cast<int *>(palloc(sizeof(int) * table_size));
    for (int i = 0; i < table_size; ++i) table[i] = -1;

    TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
    const int reader = tuplestore_alloc_read_pointer(store, EXEC_FLAG_REWIND);
    s->reader = reader;
    tuplestore_select_read_pointer(store, reader);
    tuplestore_rescan(store);
    char *parts[MAX_KEY_COLUMNS];
    int lengths[MAX_KEY_COLUMNS];
    bool fits = true;
    int64 n = 0;
    const Oid id_type = columns.snapshot_id != InvalidAttrNumber ? budget_column_type(rel, columns.snapshot_id) : InvalidOid;
    while (n < s->row_count && tuplestore_gettupleslot(store, true, false, slot)) {
        CHECK_FOR_INTERRUPTS();
        MemoryContextReset(s->scratch);  // what the key texts of the last row needed
        MemoryContext keep = MemoryContextSwitchTo(s->scratch);
        uint32 hash = 0;
        for (int i = 0; i < key_count; ++i) {
            if (!key_part(slot, columns.keys[i], key_is_text[i], &outputs[i], &parts[i], &lengths[i])) parts[i] = nullptr;
            hash = hash_combine(hash, parts[i] ? hash_bytes(reinterpret_cast<const unsigned char *>(parts[i]), lengths[i])
                                               : 0x9e3779b9u);
        }
        MemoryContextSwitchTo(keep);
        int slot_index = static_cast<int>(hash & (table_size - 1));
        int found = -1;
        while (table[slot_index] >= 0) {
            const Budget &b = s->budgets[table[slot_index]];
            bool same = true;
            for (int i = 0; i < key_count && same; ++i)
                same = (b.parts[i] == nullptr) == (parts[i] == nullptr) &&
                       (!parts[i] || (b.lengths[i] == lengths[i] && memcmp(b.parts[i], parts[i], lengths[i]) == 0));
            if (same) {
                found = table[slot_index];
                break;
            }
            slot_index = (slot_index + 1) & (table_size - 1);
        }
        if (found < 0) {
            if (s->budget_count == max_budgets) {
                fits = false;
                break;
            }
            found = s->budget_count++;
            Budget &b = s->budgets[found];
            b.parts = static_cast<char **>(palloc0(sizeof(char *) * (key_count + 1)));
            b.lengths = static_cast<int *>(palloc0(sizeof(int) * (key_count + 1)));
            for (int i = 0; i < key_count; ++i) {
                if (!parts[i]) continue;
                b.parts[i] = static_cast<char *>(palloc(lengths[i] + 1));
                memcpy(b.parts[i], parts[i], lengths[i]);
                b.lengths[i] = lengths[i];
            }
            b.current = -1;
            table[slot_index] = found;
        }
        Row &row = s->rows[n];
        row.budget = found;
        row.ord = static_cast<int32>(n + 1);
        bool isnull = false;
        const Datum status = slot_getattr(slot, columns.status, &isnull);
        if (isnull)
            ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION), errmsg("flag_budget: a snapshot has no status")));
        if (status_is_text) {
            text *t = DatumGetTextPP(status);
            row.status = status_code(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
        } else {  // an enum: its OIDs, learnt once
            row.status = -1;
            for (int i = 0; i < 5; ++i)
                if (enum_values[i] == DatumGetObjectId(status)) row.status = i;
            if (row.status < 0) {
                const char *label = OidOutputFunctionCall(F_ENUM_OUT, status);
                row.status = status_code(label, strlen(label));
                enum_values[row.status] = DatumGetObjectId(status);
            }
        }
        row.at = now;
        if (s->by_time) {
            const Datum at = slot_getattr(slot, columns.computed_at, &isnull);
            if (!isnull) row.at = DatumGetTimestampTz(at);
        }
        row.snapshot_id = PG_INT64_MAX;
        if (columns.snapshot_id != InvalidAttrNumber) {
            const Datum id = slot_getattr(slot, columns.snapshot_id, &isnull);
            if (!isnull) row.snapshot_id = snapshot_id_of(id, id_type);
        }
        ++n;
    }
    ExecDropSingleTupleTableSlot(slot);
    tuplestore_select_read_pointer(store, 0);
    s->row_count = n;
    return fits;
}

// Budgets in key order; rows by (budget rank, at, order written).
void order_statement(Statement *s) {
    const int key_count = s->columns->key_count;
    s->by_rank = static_cast<int *>(palloc(sizeof(int) * (s->budget_count + 1)));
    for (int i = 0; i < s->budget_count; ++i) s->by_rank[i] = i;
    Budget *budgets = s->budgets;
    std::sort(s->by_rank, s->by_rank + s->budget_count,
              [&](int a, int b) { return compare_keys(budgets[a], budgets[b], key_count) < 0; });
    for (int r = 0; r < s->budget_count; ++r) budgets[s->by_rank[r]].rank = r;
    std::sort(s->rows, s->rows + s->row_count, [&](const Row &a, const Row &b) {
        if (budgets[a.budget].rank != budgets[b.budget].rank) return budgets[a.budget].rank < budgets[b.budget].rank;
        if (a.at != b.at) return a.at < b.at;
        return a.ord < b.ord;
    });
}

// ---- SQL ---------------------------------------------------------------------------

enum InMemoryStatement {
    LOCK_BUDGETS, CREATE_BUDGETS, OURS, LATEST_BEFORE, LATEST_BEFORE_ONE_ROW, LOG_TRANSITIONS, IN_MEMORY_STATEMENT_COUNT
};

const char *const lock_sql =
    "SELECT b.i::pg_catalog.int4, c.status::pg_catalog.text FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.jsonb[]), pg_catalog.unnest($2::pg_catalog.int4[]))"
    " WITH ORDINALITY AS b(budget, i, n) JOIN error_budget.budget_current c ON c.source OPERATOR(pg_catalog.=) $3::pg_catalog.regclass"
    " AND c.budget OPERATOR(pg_catalog.=) b.budget ORDER BY b.n FOR UPDATE OF c";
const Oid lock_types[] = {JSONBARRAYOID, INT4ARRAYOID, OIDOID};

const char *const create_sql =
    "INSERT INTO error_budget.budget_current AS c (source, budget, status)"
    " SELECT $3::pg_catalog.regclass, b.budget, b.status::error_budget.budget_status"
    " FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.jsonb[]), pg_catalog.unnest($4::pg_catalog.text[])) WITH ORDINALITY AS b(budget, status, n) ORDER BY b.n"
    " ON CONFLICT (source, budget) DO NOTHING";
const Oid create_types[] = {JSONBARRAYOID, INT4ARRAYOID, OIDOID, TEXTARRAYOID};
// Only when some conflicted: which rows this (sub)transaction inserted ($4: its xid).
const char *const ours_sql =
    "SELECT b.i::pg_catalog.int4 FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.jsonb[]), pg_catalog.unnest($2::pg_catalog.int4[]))"
    " AS b(budget, i) JOIN error_budget.budget_current c ON c.source OPERATOR(pg_catalog.=) $3::pg_catalog.regclass"
    " AND c.budget OPERATOR(pg_catalog.=) b.budget WHERE c.xmin OPERATOR(pg_catalog.=) $4::pg_catalog.xid";
const Oid ours_types[] = {JSONBARRAYOID, INT4ARRAYOID, OIDOID, XIDOID};

// "key1 = (b.budget ->> 'key1') AND ... " for the table's rows aliased `alias`
// (operators qualified, as everywhere here: the caller's search_path runs these).
StringInfoData key_match(const TriggerData *data, const BudgetColumns &columns, const char *alias) {
    Relation rel = data->tg_relation;
    StringInfoData match;
    initStringInfo(&match);
    for (int i = 0; i < columns.key_count; ++i) {
        const char *column = quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel), columns.keys[i] - 1)->attname));
        append_key_text(&match, rel, columns.keys[i], psprintf("%s.%s", alias, column));
        appendStringInfo(&match, " OPERATOR(pg_catalog.=) (b.budget OPERATOR(pg_catalog.->>) %s) AND ", quote_literal_cstr(data->tg_trigger->tgargs[2 + i]));
    }
    return match;
}

// What each budget had later than its first row here: a logged transition or a row
// of the table that is not one of the statement's own (one_row_each: every budget
// has one row in the statement, a simpler query).
char *latest_sql(const TriggerData *data, const BudgetColumns &columns, bool one_row_each) {
    Relation rel = data->tg_relation;
    StringInfoData sql;
    initStringInfo(&sql);
    if (columns.computed_at == InvalidAttrNumber) {
        appendStringInfoString(&sql,
                               "SELECT b.i::pg_catalog.int4, (SELECT pg_catalog.max(e.snapshot_id) FROM error_budget.budget_events e"
                               " WHERE e.source OPERATOR(pg_catalog.=) $3 AND e.budget OPERATOR(pg_catalog.=) b.budget)"
                               " FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.jsonb[]), pg_catalog.unnest($2::pg_catalog.int4[]), pg_catalog.unnest($4::pg_catalog.timestamptz[]))"
                               " AS b(budget, i, first_at)");
        return sql.data;
    }
    const char *at = quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel), columns.computed_at - 1)->attname));
    if (one_row_each) {
        // Each budget has one row here, computed at first_at: no row of the table
        // computed after it can be one of the statement's own, and the latest is one
        // backward step of an index on (keys, computed_at).
        appendStringInfo(&sql,
                         "SELECT b.i::pg_catalog.int4, GREATEST((SELECT pg_catalog.max(e.computed_at) FROM error_budget.budget_events e"
                         " WHERE e.source OPERATOR(pg_catalog.=) $3 AND e.budget OPERATOR(pg_catalog.=) b.budget),"
                         " (SELECT pg_catalog.max(t.%1$s) FROM %2$s t WHERE %3$st.%1$s OPERATOR(pg_catalog.>) b.first_at))"
                         " FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.jsonb[]), pg_catalog.unnest($2::pg_catalog.int4[]),"
                         " pg_catalog.unnest($4::pg_catalog.timestamptz[])) AS b(budget, i, first_at)",
                         at, quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)), RelationGetRelationName(rel)),
                         key_match(data, columns, "t").data);
        return sql.data;
    }
    // Anti-joins, not NOT IN: a NOT IN whose hash table outgrows work_mem is probed
    // row by row, quadratic in the statement's size.
    appendStringInfo(&sql,
                     "WITH b AS (SELECT * FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.jsonb[]), pg_catalog.unnest($2::pg_catalog.int4[]),"
                     " pg_catalog.unnest($4::pg_catalog.timestamptz[])) AS b(budget, i, first_at))"
                     ", later AS (SELECT b.i, t.%1$s AS at",
                     at);
    StringInfoData match = key_match(data, columns, "t"), mine_keys, same;
    initStringInfo(&mine_keys);
    initStringInfo(&same);
    for (int i = 0; i < columns.key_count; ++i) {
        const char *column = quote_identifier(NameStr(TupleDescAttr(RelationGetDescr(rel), columns.keys[i] - 1)->attname));
        appendStringInfo(&sql, ", ");
        append_key_text(&sql, rel, columns.keys[i], psprintf("t.%s", column));
        appendStringInfo(&sql, " AS k%d", i + 1);
        appendStringInfo(&mine_keys, ", ");
        append_key_text(&mine_keys, rel, columns.keys[i], psprintf("n.%s", column));
        appendStringInfo(&mine_keys, " AS k%d", i + 1);
        appendStringInfo(&same, " AND m.k%1$d OPERATOR(pg_catalog.=) l.k%1$d", i + 1);
    }
    appendStringInfo(&sql,
                     // (a lateral sub-select kept apart by OFFSET 0: an index scan per budget, never a scan of the table)
                     " FROM b CROSS JOIN LATERAL (SELECT t.* FROM %2$s t WHERE %3$st.%1$s OPERATOR(pg_catalog.>) b.first_at OFFSET 0) t)"
                     // the statement's own rows are not "later"
                     ", mine AS (SELECT n.%1$s AS at%4$s FROM %5$s n)"
                     ", table_latest AS (SELECT l.i, pg_catalog.max(l.at) AS at FROM later l"
                     " WHERE NOT EXISTS (SELECT FROM mine m WHERE m.at OPERATOR(pg_catalog.=) l.at%6$s) GROUP BY l.i)"
                     " SELECT b.i::pg_catalog.int4, GREATEST((SELECT pg_catalog.max(e.computed_at) FROM error_budget.budget_events e"
                     " WHERE e.source OPERATOR(pg_catalog.=) $3 AND e.budget OPERATOR(pg_catalog.=) b.budget), tl.at)"
                     " FROM b LEFT JOIN table_latest tl ON tl.i OPERATOR(pg_catalog.=) b.i",
                     at, quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)), RelationGetRelationName(rel)),
                     match.data, mine_keys.data, quote_identifier(data->tg_trigger->tgnewtable), same.data);
    return sql.data;
}
const Oid latest_types[] = {JSONBARRAYOID, INT4ARRAYOID, TEXTOID, TIMESTAMPTZARRAYOID};

// The snapshot values of each transition (remaining, id, dimensions) come as arrays
// read from the transition table in C: joining the whole table back by row number
// cost a scan, a window and a sort of every row of the statement.
char *log_sql() {
    return psprintf(
        "WITH moved AS (UPDATE error_budget.budget_current c"
        " SET status = m.status::error_budget.budget_status, changed_at = pg_catalog.now()"
        " FROM ROWS FROM (pg_catalog.unnest($4::pg_catalog.jsonb[]), pg_catalog.unnest($5::pg_catalog.text[])) AS m(budget, status)"
        " WHERE c.source OPERATOR(pg_catalog.=) $1::pg_catalog.regclass AND c.budget OPERATOR(pg_catalog.=) m.budget)"
        ", logged AS (INSERT INTO error_budget.budget_events"
        " (source, budget, from_status, to_status, remaining, computed_at, snapshot_id, dimensions, responses)"
        " SELECT $3, w.budget, w.from_status::error_budget.budget_status, w.to_status::error_budget.budget_status,"
        " w.remaining, w.at, w.snapshot_id, w.dimensions, " EB_RESPONSES_REQUEST_SQL("$3", "w.budget")
        " FROM ROWS FROM (pg_catalog.unnest($6::pg_catalog.jsonb[]), pg_catalog.unnest($7::pg_catalog.text[]),"
        " pg_catalog.unnest($8::pg_catalog.text[]), pg_catalog.unnest($9::pg_catalog.timestamptz[]),"
        " pg_catalog.unnest($10::pg_catalog.float8[]), pg_catalog.unnest($11::pg_catalog.int8[]),"
        " pg_catalog.unnest($12::pg_catalog.jsonb[]))"
        " WITH ORDINALITY AS w(budget, from_status, to_status, at, remaining, snapshot_id, dimensions, n)"
        " ORDER BY w.n RETURNING *)%s",
        announce_logged_sql("$2", ""));
}
const Oid log_types[] = {OIDOID,        INT8OID,      TEXTOID,      JSONBARRAYOID,       TEXTARRAYOID,  JSONBARRAYOID,
                         TEXTARRAYOID,  TEXTARRAYOID, TIMESTAMPTZARRAYOID, FLOAT8ARRAYOID, INT8ARRAYOID, JSONBARRAYOID};

// Two sets of plans per statement. A statement of few budgets runs a generic plan,
// made once: the planner takes each key array for 10 rows, and index lookups per key are
// right. A statement of many budgets runs custom plans, made with the arrays' real
// lengths: at 49,000 keys the generic plan's nested loop of jsonb index lookups (and
// its Memoize, all misses) took 345 ms where a hash join takes 96 ms. Planning costs
// about a millisecond, which only large statements can afford.
constexpr int MANY_BUDGETS = 1000;
static_assert(IN_MEMORY_STATEMENT_COUNT <= MAX_KEPT_PLANS, "flag_budget_plans.hpp keeps too few plans");

// (kept by keep_plans once the whole set is made)
SPIPlanPtr prepare(const char *sql, int count, const Oid *types, bool generic) {
    SPIPlanPtr plan = SPI_prepare_cursor(sql, count, const_cast<Oid *>(types),
                                         generic ? CURSOR_OPT_GENERIC_PLAN : CURSOR_OPT_CUSTOM_PLAN);
    if (!plan) elog(ERROR, "flag_budget: could not prepare a bookkeeping statement: %s", SPI_result_code_string(SPI_result));
    return plan;
}

// Copies the statement's plans into `plans`, preparing them the first time a
// backend needs their kind (one that only writes small statements never prepares
// the other) and again after the table changed (flag_budget_plans.hpp). A copy: a
// nested flag_budget may replace the kept ones while these run.
void plans_for(const TriggerData *data, const BudgetColumns &columns, int budget_count, SPIPlanPtr *plans) {
    const bool generic = budget_count < MANY_BUDGETS;
    const FlagBudgetPlans kind = generic ? FlagBudgetPlans::InMemoryFew : FlagBudgetPlans::InMemoryMany;
    if (SPIPlanPtr *kept = kept_plans(data, kind)) {
        for (int i = 0; i < IN_MEMORY_STATEMENT_COUNT; ++i) plans[i] = kept[i];
        return;
    }
    plans[LOCK_BUDGETS] = prepare(lock_sql, 3, lock_types, generic);
    plans[CREATE_BUDGETS] = prepare(create_sql, 4, create_types, generic);
    plans[OURS] = prepare(ours_sql, 4, ours_types, generic);
    plans[LATEST_BEFORE] = prepare(latest_sql(data, columns, false), 4, latest_types, generic);
    // (without computed_at the two are the same query: one is made, the other left out)
    plans[LATEST_BEFORE_ONE_ROW] =
        columns.computed_at != InvalidAttrNumber ? prepare(latest_sql(data, columns, true), 4, latest_types, generic) : nullptr;
    plans[LOG_TRANSITIONS] = prepare(log_sql(), 12, log_types, generic);
    keep_plans(data, kind, plans, IN_MEMORY_STATEMENT_COUNT);
}

// ---- arrays for the statements -------------------------------------------------------

struct Arrays {
    Datum *values;
    int count;
};

Arrays start(int capacity) { return Arrays{static_cast<Datum *>(palloc(sizeof(Datum) * (capacity + 1))), 0}; }

Datum as_array(const Arrays &a, Oid element, int length, bool byval, char align) {
    return PointerGetDatum(construct_array(a.values, a.count, element, length, byval, align));
}
Datum jsonb_array(const Arrays &a) { return as_array(a, JSONBOID, -1, false, TYPALIGN_INT); }
Datum text_array(const Arrays &a) { return as_array(a, TEXTOID, -1, false, TYPALIGN_INT); }
Datum int4_array(const Arrays &a) { return as_array(a, INT4OID, 4, true, TYPALIGN_INT); }
Datum timestamptz_array(const Arrays &a) { return as_array(a, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE); }

// The budget's key as jsonb, made once per statement.
Datum jsonb_of(Statement *s, Budget &budget) {
    if (budget.jsonb) return budget.jsonb;
    MemoryContext keep = MemoryContextSwitchTo(s->scratch);
    const Datum made = budget_key_jsonb(s->data, *s->columns, budget.parts, budget.lengths);
    MemoryContextSwitchTo(keep);
    budget.jsonb = datumCopy(made, false, -1);
    MemoryContextReset(s->scratch);
    return budget.jsonb;
}

void execute(SPIPlanPtr plan, Datum *values, const char *nulls) {
    const int result = SPI_execute_plan(plan, values, nulls, false, 0);
    if (result < 0) elog(ERROR, "flag_budget: a bookkeeping statement failed: %s", SPI_result_code_string(result));
}

Datum nullable_array(const Arrays &a, const bool *nulls, Oid element, int length, bool byval, char align) {
    int dims[1] = {a.count};
    int lower[1] = {1};
    return PointerGetDatum(construct_md_array(a.values, const_cast<bool *>(nulls), 1, dims, lower, element, length, byval, align));
}

// Each transition's snapshot values, in the transitions' order: one more pass over
// the transition table, in row order, reading only the rows that are transitions.
struct SnapshotValues {
    Arrays remaining, ids, dimensions;
    bool *remaining_nulls, *id_nulls, *dimension_nulls;
};

SnapshotValues read_snapshot_values(Statement *s, const Transition *transitions, int64 count) {
    const BudgetColumns &columns = *s->columns;
    TupleDesc desc = RelationGetDescr(s->data->tg_relation);
    SnapshotValues v{start(count), start(count), start(count), static_cast<bool *>(palloc0(sizeof(bool) * (count + 1))),
                     static_cast<bool *>(palloc0(sizeof(bool) * (count + 1))), static_cast<bool *>(palloc0(sizeof(bool) * (count + 1)))};
    v.remaining.count = v.ids.count = v.dimensions.count = static_cast<int>(count);
    // The transitions by row: (ord, index), in row order.
    auto *wanted = static_cast<int64 *>(palloc(sizeof(int64) * (count + 1)));
    for (int64 t = 0; t < count; ++t) wanted[t] = t;
    std::sort(wanted, wanted + count, [&](int64 a, int64 b) { return transitions[a].ord < transitions[b].ord; });
    const Oid remaining_type = budget_column_type(s->data->tg_relation, columns.remaining);
    const Oid id_type = columns.snapshot_id != InvalidAttrNumber ? budget_column_type(s->data->tg_relation, columns.snapshot_id)
                                                                 : InvalidOid;

    Tuplestorestate *store = s->data->tg_newtable;
    tuplestore_select_read_pointer(store, s->reader);
    tuplestore_rescan(store);
    TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
    int64 next = 0;
    for (int64 ord = 1; next < count && tuplestore_gettupleslot(store, true, false, slot); ++ord) {
        CHECK_FOR_INTERRUPTS();
        if (transitions[wanted[next]].ord != ord) continue;
        const int64 t = wanted[next++];
        bool isnull = false;
        const Datum remaining = slot_getattr(slot, columns.remaining, &isnull);
        v.remaining_nulls[t] = isnull;
        // (copies of by-reference float8 and int8 values on builds that have them: the
        // slot's tuple is replaced by the next fetch)
        v.remaining.values[t] = isnull ? Datum(0)
                                : remaining_type == FLOAT8OID ? Float8GetDatum(DatumGetFloat8(remaining))
                                : remaining_type == FLOAT4OID ? Float8GetDatum(static_cast<double>(DatumGetFloat4(remaining)))
                                                              : DirectFunctionCall1(numeric_float8, remaining);
        v.id_nulls[t] = true;
        if (columns.snapshot_id != InvalidAttrNumber) {
            const Datum id = slot_getattr(slot, columns.snapshot_id, &isnull);
            v.id_nulls[t] = isnull;
            v.ids.values[t] = isnull ? Datum(0) : Int64GetDatum(snapshot_id_of(id, id_type));
        }
        v.dimension_nulls[t] = true;
        if (columns.dimensions != InvalidAttrNumber) {
            const Datum dims = slot_getattr(slot, columns.dimensions, &isnull);
            v.dimension_nulls[t] = isnull;
            // a copy: the slot's tuple is the store's, and the next row replaces it
            v.dimensions.values[t] = isnull ? Datum(0) : PointerGetDatum(PG_DETOAST_DATUM_COPY(dims));
        }
    }
    ExecDropSingleTupleTableSlot(slot);
    tuplestore_select_read_pointer(store, 0);  // as read_statement leaves it
    if (next != count) elog(ERROR, "flag_budget: %lld transitions' rows not found in the statement's rows", static_cast<long long>(count - next));
    return v;
}

// Locks the budgets of `which` (indices) that exist and records their status.
void lock_existing(Statement *s, SPIPlanPtr plan, const int *which, int count, Oid relation) {
    if (count == 0) return;
    Arrays keys = start(count), indices = start(count);
    for (int k = 0; k < count; ++k) {
        CHECK_FOR_INTERRUPTS();
        keys.values[keys.count++] = jsonb_of(s, s->budgets[which[k]]);
        indices.values[indices.count++] = Int32GetDatum(which[k]);
    }
    Datum values[3] = {jsonb_array(keys), int4_array(indices), ObjectIdGetDatum(relation)};
    execute(plan, values, nullptr);
    for (uint64 r = 0; r < SPI_processed; ++r) {
        bool isnull = false;
        const int index = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull));
        const char *label = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2);
        s->budgets[index].current = status_code(label, strlen(label));
    }
}

}  // namespace

bool record_in_memory(TriggerData *data, const BudgetColumns &columns, Datum source, int limit,
                        BookkeepingTally *tally) {
    Statement s{};
    s.scratch = AllocSetContextCreate(CurrentMemoryContext, "flag_budget scratch", ALLOCSET_SMALL_SIZES);
    s.data = data;
    s.columns = &columns;
    s.row_count = tuplestore_tuple_count(data->tg_newtable);
    // Beyond work_mem, or beyond what single allocations of a row's worth each
    // (rows, transitions, the arrays handed to SQL) can hold under MaxAllocSize:
    // the set-based path.
    if (s.row_count * BYTES_PER_ROW > work_mem_bytes() || s.row_count > static_cast<int64>(MaxAllocSize / 64)) return false;
    s.by_time = columns.computed_at != InvalidAttrNumber;
    if (!read_statement(&s)) return false;
    order_statement(&s);

    SPIPlanPtr plans[IN_MEMORY_STATEMENT_COUNT];
    plans_for(data, columns, s.budget_count, plans);
    const Oid relation = RelationGetRelid(data->tg_relation);
    Budget *budgets = s.budgets;

    // 1. Lock, in key order.
    lock_existing(&s, plans[LOCK_BUDGETS], s.by_rank, s.budget_count, relation);

    // Each budget's rows: [begin[b], end[b]) of the ordered rows.
    int64 *begin = static_cast<int64 *>(palloc(sizeof(int64) * (s.budget_count + 1)));
    int64 *end = static_cast<int64 *>(palloc(sizeof(int64) * (s.budget_count + 1)));
    for (int64 r = 0; r < s.row_count;) {
        const int b = s.rows[r].budget;
        begin[b] = r;
        while (r < s.row_count && s.rows[r].budget == b) ++r;
        end[b] = r;
    }

    // 2. New budgets get their row with their last status; one created meanwhile
    //    by another session is locked and joins the existing ones.
    for (int attempt = 0;; ++attempt) {
        Arrays keys = start(s.budget_count), indices = start(s.budget_count), last = start(s.budget_count);
        for (int r = 0; r < s.budget_count; ++r) {
            CHECK_FOR_INTERRUPTS();
            const int b = s.by_rank[r];
            if (budgets[b].current >= 0 || budgets[b].created) continue;
            keys.values[keys.count++] = jsonb_of(&s, budgets[b]);
            indices.values[indices.count++] = Int32GetDatum(b);
            last.values[last.count++] = CStringGetTextDatum(status_label(s.rows[end[b] - 1].status));
        }
        if (keys.count == 0) break;
        if (attempt == 3)
            ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                            errmsg("flag_budget: could not lock the current status of budgets created concurrently")));
        Datum values[4] = {jsonb_array(keys), int4_array(indices), ObjectIdGetDatum(relation), text_array(last)};
        execute(plans[CREATE_BUDGETS], values, nullptr);
        if (SPI_processed == static_cast<uint64>(keys.count)) {  // the usual case: all of them
            for (int k = 0; k < indices.count; ++k) budgets[DatumGetInt32(indices.values[k])].created = true;
        } else {
            values[3] = TransactionIdGetDatum(GetCurrentTransactionId());
            execute(plans[OURS], values, nullptr);
            for (uint64 r = 0; r < SPI_processed; ++r) {
                bool isnull = false;
                budgets[DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull))].created = true;
            }
        }
        int *conflicted = static_cast<int *>(palloc(sizeof(int) * (indices.count + 1)));
        int conflicts = 0;
        for (int k = 0; k < indices.count; ++k)
            if (!budgets[DatumGetInt32(indices.values[k])].created) conflicted[conflicts++] = DatumGetInt32(indices.values[k]);
        lock_existing(&s, plans[LOCK_BUDGETS], conflicted, conflicts, relation);
    }

    // 3. Existing budgets whose status may change: what they had later, before.
    {
        Arrays keys = start(s.budget_count), indices = start(s.budget_count), firsts = start(s.budget_count);
        bool one_row_each = true;  // every candidate has one row in the statement
        for (int r = 0; r < s.budget_count; ++r) {
            CHECK_FOR_INTERRUPTS();
            const int b = s.by_rank[r];
            Budget &budget = budgets[b];
            if (budget.current < 0) continue;
            for (int64 i = begin[b]; i < end[b] && !budget.candidate; ++i) budget.candidate = s.rows[i].status != budget.current;
            if (!budget.candidate) continue;
            one_row_each = one_row_each && end[b] - begin[b] == 1;
            keys.values[keys.count++] = jsonb_of(&s, budget);
            indices.values[indices.count++] = Int32GetDatum(b);
            firsts.values[firsts.count++] = TimestampTzGetDatum(s.rows[begin[b]].at);
        }
        if (keys.count > 0) {
            Datum values[4] = {jsonb_array(keys), int4_array(indices), source, timestamptz_array(firsts)};
            execute(plans[one_row_each && plans[LATEST_BEFORE_ONE_ROW] ? LATEST_BEFORE_ONE_ROW : LATEST_BEFORE], values, nullptr);
            for (uint64 r = 0; r < SPI_processed; ++r) {
                bool isnull = false;
                const int b = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull));
                const Datum after = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull);
                budgets[b].has_after = !isnull;
                if (!isnull) budgets[b].after = s.by_time ? DatumGetTimestampTz(after) : DatumGetInt64(after);
            }
        }
    }

    // 4. The transitions, budget by budget in computed_at order; history (what came
    //    before something the budget already had) is left out.
    Transition *transitions = static_cast<Transition *>(palloc(sizeof(Transition) * (s.row_count + 1)));
    int64 transition_count = 0;
    Arrays moved_keys = start(s.budget_count), moved_status = start(s.budget_count);
    for (int b = 0; b < s.budget_count; ++b) {
        Budget &budget = budgets[b];
        if (budget.current >= 0 && !budget.candidate) continue;
        int previous = budget.current;  // -1 for a budget created here
        bool changed = false;
        CHECK_FOR_INTERRUPTS();
        for (int64 i = begin[b]; i < end[b]; ++i) {
            const Row &row = s.rows[i];
            if (budget.has_after && (s.by_time ? row.at : row.snapshot_id) < budget.after) continue;
            if (row.status == previous) continue;
            transitions[transition_count++] = Transition{row.at, row.ord, b, previous, row.status};
            previous = row.status;
            changed = true;
        }
        if (changed && budget.current >= 0) {
            moved_keys.values[moved_keys.count++] = jsonb_of(&s, budget);
            moved_status.values[moved_status.count++] = CStringGetTextDatum(status_label(previous));
        }
    }
    if (transition_count == 0) return true;
    std::sort(transitions, transitions + transition_count, [](const Transition &a, const Transition &b) {
        return a.at != b.at ? a.at < b.at : a.ord < b.ord;
    });

    Arrays keys = start(transition_count), froms = start(transition_count), tos = start(transition_count),
           ats = start(transition_count);
    bool *from_nulls = static_cast<bool *>(palloc(sizeof(bool) * (transition_count + 1)));
    for (int64 t = 0; t < transition_count; ++t) {
        CHECK_FOR_INTERRUPTS();
        const Transition &tr = transitions[t];
        keys.values[keys.count++] = jsonb_of(&s, budgets[tr.budget]);
        from_nulls[froms.count] = tr.from < 0;
        froms.values[froms.count++] = tr.from < 0 ? Datum(0) : CStringGetTextDatum(status_label(tr.from));
        tos.values[tos.count++] = CStringGetTextDatum(status_label(tr.to));
        ats.values[ats.count++] = TimestampTzGetDatum(tr.at);
    }
    SnapshotValues snapshot = read_snapshot_values(&s, transitions, transition_count);
    Datum values[12] = {ObjectIdGetDatum(relation), Int64GetDatum(limit - tally->announced), source,
                        jsonb_array(moved_keys), text_array(moved_status), jsonb_array(keys),
                        nullable_array(froms, from_nulls, TEXTOID, -1, false, TYPALIGN_INT), text_array(tos),
                        timestamptz_array(ats),
                        nullable_array(snapshot.remaining, snapshot.remaining_nulls, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE),
                        nullable_array(snapshot.ids, snapshot.id_nulls, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE),
                        nullable_array(snapshot.dimensions, snapshot.dimension_nulls, JSONBOID, -1, false, TYPALIGN_INT)};
    execute(plans[LOG_TRANSITIONS], values, nullptr);
    add_logged(tally);
    return true;
}

}  // namespace error_budget::pg
