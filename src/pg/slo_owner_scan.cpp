// error_budget.run_slo_scan(scan, slo_ids, window_start, window_end)
//     -> TABLE (grouping_mask integer, dims jsonb, v double precision[])
//
// Runs one generated budget scan over the SLOs slo_ids with the rights of their
// owner, the way REFRESH MATERIALIZED VIEW runs a view's query as the view's owner:
// the user id is switched to the owner inside a security-restricted operation (no
// temp tables, no SET ROLE, no session-level changes), every setting the scan
// changes is rolled back, and the query runs read-only through SPI. The rows are
// copied out and returned to the caller, who writes the snapshots with its own
// rights.
//
// This is not a "run SQL as role X" entry point: the caller names SLOs, never SQL.
// The query text comes from error_budget.slo_scan_query(), which builds it (as the
// caller) from the stored, canonical (deparsed) definitions; all the SLOs of one
// scan must have the same owner, and the owner is read from the catalog.
#include "boundary.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/syscache.h"
}

namespace {

// The one owner of all the SLOs in `ids` (raises when any is missing or their
// owners differ).
Oid owner_of(Datum ids) {
    Oid types[1] = {INT8ARRAYOID};
    Datum values[1] = {ids};
    if (SPI_execute_with_args(
            "SELECT (SELECT count(DISTINCT i) FROM pg_catalog.unnest($1) AS i) = count(*), "
            "       count(DISTINCT owner) = 1, min(owner::pg_catalog.oid) "
            "FROM error_budget.slos WHERE id = ANY ($1)",
            1, types, values, nullptr, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
        elog(ERROR, "run_slo_scan: could not read the SLOs' owners");
    bool null = false;
    HeapTuple row = SPI_tuptable->vals[0];
    TupleDesc desc = SPI_tuptable->tupdesc;
    const bool all_found = DatumGetBool(SPI_getbinval(row, desc, 1, &null));
    const bool one_owner = !null && DatumGetBool(SPI_getbinval(row, desc, 2, &null));
    if (!all_found)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("run_slo_scan: an SLO of the scan does not exist")));
    if (!one_owner)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("run_slo_scan: the SLOs of one scan must have one owner")));
    const Oid owner = DatumGetObjectId(SPI_getbinval(row, desc, 3, &null));
    if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(owner)))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                        errmsg("the owner of the SLO (role OID %u) no longer exists", owner),
                        errhint("Give the SLO a new owner: UPDATE error_budget.slos SET owner = ... (as a superuser).")));
    return owner;
}

// The query of the scan, built by the catalog from the stored definitions.
char *scan_query(Datum scan, Datum ids, Datum window_start, Datum window_end) {
    Oid types[4] = {TEXTOID, INT8ARRAYOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
    Datum values[4] = {scan, ids, window_start, window_end};
    if (SPI_execute_with_args("SELECT error_budget.slo_scan_query($1, $2, $3, $4)", 4, types, values, nullptr, false,
                              1) != SPI_OK_SELECT ||
        SPI_processed != 1)
        elog(ERROR, "run_slo_scan: could not build the scan");
    char *query = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
    if (query == nullptr) elog(ERROR, "run_slo_scan: the scan query is NULL");
    return query;
}

}  // namespace

EB_FUNCTION(run_slo_scan) {
    for (int i = 0; i < 4; ++i)
        if (PG_ARGISNULL(i))
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("run_slo_scan: arguments must not be NULL")));
    InitMaterializedSRF(fcinfo, 0);
    auto *result = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    // run_slo_scan returns scan_totals, run_rollup_scan rollup_totals (its last column
    // is the minute, or the day): each runs only its own scans.
    const bool per_minute = strcmp(NameStr(TupleDescAttr(result->setDesc, result->setDesc->natts - 1)->attname), "minute") == 0;
    const char *scan = text_to_cstring(PG_GETARG_TEXT_PP(0));
    const bool bucketed = strcmp(scan, "rollup") == 0 || strcmp(scan, "daily") == 0;
    if (bucketed != per_minute)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: scan %s is not one of its scans", per_minute ? "run_rollup_scan" : "run_slo_scan", scan),
                        errhint("run_slo_scan runs occurrences, timeslices and baseline scans; run_rollup_scan runs rollup and daily.")));

    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "run_slo_scan: SPI_connect failed");
    const Oid owner = owner_of(PG_GETARG_DATUM(1));
    const char *query = scan_query(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2), PG_GETARG_DATUM(3));
    // SET client_min_messages = debug shows every generated scan.
    ereport(DEBUG1, (errmsg("error_budget: %s scan as role %s: %s", text_to_cstring(PG_GETARG_TEXT_PP(0)),
                            GetUserNameFromId(owner, true), query)));

    // As the owner, restricted; an error unwinds all of this with the (sub)transaction.
    Oid runner;
    int runner_context;
    GetUserIdAndSecContext(&runner, &runner_context);
    SetUserIdAndSecContext(owner, runner_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    const int guc_level = NewGUCNestLevel();
    Oid types[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
    Datum window[2] = {PG_GETARG_DATUM(2), PG_GETARG_DATUM(3)};
    if (SPI_execute_with_args(query, 2, types, window, nullptr, true, 0) != SPI_OK_SELECT)
        elog(ERROR, "run_slo_scan: the scan is not a query");
    AtEOXact_GUC(false, guc_level);
    SetUserIdAndSecContext(runner, runner_context);

    TupleDesc got = SPI_tuptable->tupdesc;
    TupleDesc want = result->setDesc;
    if (got->natts != want->natts) elog(ERROR, "run_slo_scan: the scan returned %d columns", got->natts);
    for (int c = 0; c < want->natts; ++c)
        if (TupleDescAttr(got, c)->atttypid != TupleDescAttr(want, c)->atttypid)
            elog(ERROR, "run_slo_scan: column %d of the scan has type %s", c + 1,
                 format_type_be(TupleDescAttr(got, c)->atttypid));
    Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * want->natts));
    bool *nulls = static_cast<bool *>(palloc(sizeof(bool) * want->natts));
    for (uint64 r = 0; r < SPI_processed; ++r) {
        heap_deform_tuple(SPI_tuptable->vals[r], got, values, nulls);
        tuplestore_putvalues(result->setResult, want, values, nulls);
    }
    SPI_finish();
    return static_cast<Datum>(0);
}
