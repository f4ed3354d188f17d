// The SQL expressions an SLO definition stores (good, event, amount, unit, weight,
// filter) are code that compute_budgets() pastes into generated scans. Two C
// functions guard them:
//
//   check_sql_expression(expression, what)   (0.3.0; kept for its upgrade script)
//       raises 42601 unless the text parses as one value expression.
//   slo_expression(source, owner, expression, what, expected) -> text
//       parses the text as exactly one expression (no wrapping parentheses, so
//       "ok) OR (true" is a syntax error, not a different expression), analyses it
//       against the source table as PostgreSQL analyses a CHECK constraint, refuses
//       what must never run inside a budget scan (sub-queries, volatile functions,
//       aggregates, window and set-returning functions), checks its type, and
//       returns it deparsed: the canonical text the catalog stores and the scans
//       are built from. Deparsing happens with only pg_catalog on the search path,
//       so every other function, operator and type comes out schema-qualified and
//       means the same thing in any session. Nothing is planned or executed here:
//       constant folding of a hostile IMMUTABLE function never runs as the definer.
//   slo_expression_type(source, owner, expression) -> regtype
//       the base type of a stored (canonical) expression over its table, analysed
//       the same way (names resolved as the owner; as another role than the caller's
//       only for an expression an SLO of that owner stores) and equally never run: the scans sum a numeric or integer
//       amount in its own type and convert the sum once, where converting every
//       numeric value to double precision went through its text form.
#include "boundary.hpp"

extern "C" {
#include "access/relation.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "rewrite/rewriteManip.h"
#include "utils/acl.h"
#include "utils/ruleutils.h"
}

namespace {

// The one expression of "SELECT <expression>", or nullptr when the statement is
// anything more (a second statement, a FROM/WHERE clause, an alias, ...).
Node *single_value_expression(const List *statements) {
    if (list_length(statements) != 1) return nullptr;
    const Node *node = linitial_node(RawStmt, statements)->stmt;
    if (!IsA(node, SelectStmt)) return nullptr;
    const auto *select = reinterpret_cast<const SelectStmt *>(node);
    if (select->op != SETOP_NONE || select->distinctClause != NIL || select->intoClause != nullptr ||
        select->fromClause != NIL || select->whereClause != nullptr || select->groupClause != NIL ||
        select->havingClause != nullptr || select->windowClause != NIL || select->valuesLists != NIL ||
        select->sortClause != NIL || select->limitOffset != nullptr || select->limitCount != nullptr ||
        select->lockingClause != NIL || select->withClause != nullptr || list_length(select->targetList) != 1)
        return nullptr;
    auto *target = linitial_node(ResTarget, select->targetList);
    return target->name == nullptr ? target->val : nullptr;
}

// Parses `query` with PostgreSQL's raw parser; a syntax error becomes 42601 naming
// what was being defined.
List *parse_or_report(const char *query, const char *expression, const char *what) {
    List *statements = NIL;
    MemoryContext caller = CurrentMemoryContext;
    PG_TRY();
    {
        statements = raw_parser(query, RAW_PARSE_DEFAULT);
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller);
        ErrorData *error = CopyErrorData();
        FlushErrorState();
        ereport(ERROR, (errcode(ERRCODE_SYNTAX_ERROR),
                        errmsg("%s is not a valid SQL expression: %s", what, error->message),
                        errdetail("The expression was: %s", expression)));
    }
    PG_END_TRY();
    return statements;
}

[[noreturn]] void refuse(int sqlstate, const char *what, const char *reason, const char *expression) {
    ereport(ERROR, (errcode(sqlstate), errmsg("%s must not %s", what, reason),
                    errdetail("The expression was: %s", expression),
                    errhint("An SLO expression is evaluated for every row of every computation, with its owner's rights: "
                            "it may use the source table's columns, constants, operators and non-volatile functions.")));
}

}  // namespace

EB_FUNCTION(check_sql_expression) {
    const char *expression = text_to_cstring(PG_GETARG_TEXT_PP(0));
    const char *what = text_to_cstring(PG_GETARG_TEXT_PP(1));
    const char *query = psprintf("SELECT (%s\n)", expression);
    if (single_value_expression(parse_or_report(query, expression, what)) == nullptr)
        ereport(ERROR, (errcode(ERRCODE_SYNTAX_ERROR), errmsg("%s must be a single SQL expression", what),
                        errdetail("The expression was: %s", expression)));
    PG_RETURN_VOID();
}

EB_FUNCTION(slo_expression) {
    const Oid source = PG_GETARG_OID(0);
    const Oid owner = PG_GETARG_OID(1);
    const char *expression = text_to_cstring(PG_GETARG_TEXT_PP(2));
    const char *what = text_to_cstring(PG_GETARG_TEXT_PP(3));
    const char *expected = text_to_cstring(PG_GETARG_TEXT_PP(4));
    const bool boolean = strcmp(expected, "boolean") == 0;
    if (!boolean && strcmp(expected, "number") != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("expected type must be boolean or number, got %s", expected)));

    // Exactly one expression, as the user wrote it: no parentheses are added around
    // it, so unbalanced input cannot close and reopen the query's own.
    const char *query = psprintf("SELECT %s\n", expression);
    Node *raw = single_value_expression(parse_or_report(query, expression, what));
    if (raw == nullptr)
        ereport(ERROR, (errcode(ERRCODE_SYNTAX_ERROR), errmsg("%s must be a single SQL expression", what),
                        errdetail("The expression was: %s", expression)));

    Relation relation = relation_open(source, AccessShareLock);
    // Early feedback for a definer; the rule itself is enforced when the scan runs as
    // the owner. Superusers skip it: pg_restore loads the definitions before the
    // table grants that make them readable.
    if (!superuser() && pg_class_aclcheck(source, owner, ACL_SELECT) != ACLCHECK_OK)
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("%s: role %s may not read table %s", what, GetUserNameFromId(owner, false),
                               RelationGetRelationName(relation)),
                        errhint("The SLO's owner needs SELECT on its source table.")));

    // Analysed as the expression of a query over the source table alone.
    ParseState *pstate = make_parsestate(nullptr);
    pstate->p_sourcetext = query;
    ParseNamespaceItem *item = addRangeTableEntryForRelation(pstate, relation, AccessShareLock, nullptr, false, true);
    addNSItemToQuery(pstate, item, true, true, true);
    Node *analysed = nullptr;
    MemoryContext caller = CurrentMemoryContext;
    PG_TRY();
    {
        analysed = transformExpr(pstate, raw, EXPR_KIND_SELECT_TARGET);
    }
    PG_CATCH();
    {
        // Same SQLSTATE, with the field it is about (an unknown column, an unknown
        // function, an operator that does not exist, ...).
        MemoryContextSwitchTo(caller);
        ErrorData *error = CopyErrorData();
        FlushErrorState();
        ereport(ERROR, (errcode(error->sqlerrcode), errmsg("%s does not fit table %s: %s", what,
                                                           RelationGetRelationName(relation), error->message),
                        errdetail("The expression was: %s", expression)));
    }
    PG_END_TRY();

    if (checkExprHasSubLink(analysed)) refuse(ERRCODE_FEATURE_NOT_SUPPORTED, what, "contain a sub-query", expression);
    if (pstate->p_hasAggs) refuse(ERRCODE_GROUPING_ERROR, what, "use an aggregate function", expression);
    if (pstate->p_hasWindowFuncs) refuse(ERRCODE_WINDOWING_ERROR, what, "use a window function", expression);
    if (pstate->p_hasTargetSRFs || expression_returns_set(analysed))
        refuse(ERRCODE_FEATURE_NOT_SUPPORTED, what, "use a set-returning function", expression);

    const Oid type = exprType(analysed);
    Node *typed = boolean ? coerce_to_target_type(pstate, analysed, type, BOOLOID, -1, COERCION_IMPLICIT,
                                                  COERCE_IMPLICIT_CAST, -1)
                          : coerce_to_target_type(pstate, analysed, type, FLOAT8OID, -1, COERCION_IMPLICIT,
                                                  COERCE_IMPLICIT_CAST, -1);
    if (typed == nullptr)
        ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                        errmsg("%s has the wrong type: it must be %s, not %s", what,
                               boolean ? "boolean" : "a number (cast implicitly to double precision)",
                               format_type_be(type)),
                        errdetail("The expression was: %s", expression)));
    assign_expr_collations(pstate, typed);
    if (contain_volatile_functions(typed))
        refuse(ERRCODE_INVALID_OBJECT_DEFINITION, what, "call a volatile function", expression);

    // Deparsed with only pg_catalog visible: the stored text is schema-qualified.
    List *context = deparse_context_for(RelationGetRelationName(relation), source);
    OverrideSearchPath *path = GetOverrideSearchPath(CurrentMemoryContext);
    path->schemas = NIL;
    path->addCatalog = true;
    path->addTemp = false;
    PushOverrideSearchPath(path);
    char *canonical = deparse_expression(analysed, context, false, false);
    PopOverrideSearchPath();
    relation_close(relation, NoLock);
    free_parsestate(pstate);
    PG_RETURN_TEXT_P(cstring_to_text(canonical));
}

namespace {

// Whether `expression` is one of the stored expressions of an SLO over `source`
// owned by `owner` (as its catalog row has it, canonical).
bool is_stored_slo_expression(Oid source, Oid owner, Datum expression) {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "slo_expression_type: SPI_connect failed");
    Oid types[3] = {OIDOID, OIDOID, TEXTOID};
    Datum values[3] = {ObjectIdGetDatum(source), ObjectIdGetDatum(owner), expression};
    if (SPI_execute_with_args("SELECT EXISTS (SELECT FROM error_budget.slos s WHERE s.source OPERATOR(pg_catalog.=) $1"
                              " AND s.owner OPERATOR(pg_catalog.=) $2"
                              // (every operator qualified: the caller's search_path must not choose the equality)
                              " AND $3 OPERATOR(pg_catalog.=) ANY (ARRAY[s.amount, s.good, s.weight, s.filter]))",
                              3, types, values, nullptr, true, 1) != SPI_OK_SELECT ||
        SPI_processed != 1)
        elog(ERROR, "slo_expression_type: could not read the SLO catalog");
    bool isnull = false;
    const bool stored = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    SPI_finish();
    return stored;
}

}  // namespace

EB_FUNCTION(slo_expression_type) {
    const Oid source = PG_GETARG_OID(0);
    const Oid owner = PG_GETARG_OID(1);
    const char *expression = text_to_cstring(PG_GETARG_TEXT_PP(2));
    // Analysed as another role only for what that role already stands behind: an
    // expression stored in one of its SLOs over that table. Otherwise this would be a
    // way to have any text parsed with any role's rights.
    if (owner != GetUserId() && !has_privs_of_role(GetUserId(), owner) &&
        !is_stored_slo_expression(source, owner, PG_GETARG_DATUM(2)))
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("slo_expression_type: only an SLO's own expression is analysed with its owner's rights"),
                        errdetail("No SLO over %s owned by %s has the expression: %s", get_rel_name(source),
                                  GetUserNameFromId(owner, true) ? GetUserNameFromId(owner, true) : "(dropped role)", expression)));
    const char *query = psprintf("SELECT %s\n", expression);
    Node *raw = single_value_expression(parse_or_report(query, expression, "the expression"));
    if (raw == nullptr)
        ereport(ERROR, (errcode(ERRCODE_SYNTAX_ERROR), errmsg("slo_expression_type: not a single SQL expression"),
                        errdetail("The expression was: %s", expression)));
    Relation relation = try_relation_open(source, AccessShareLock);
    if (relation == nullptr)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("slo_expression_type: no table with OID %u", source)));
    ParseState *pstate = make_parsestate(nullptr);
    pstate->p_sourcetext = query;
    ParseNamespaceItem *item = addRangeTableEntryForRelation(pstate, relation, AccessShareLock, nullptr, false, true);
    addNSItemToQuery(pstate, item, true, true, true);
    // Names resolve with the owner's rights (schema USAGE), as the scan will run:
    // whoever computes, the same type. An error unwinds this with the transaction.
    Oid caller;
    int caller_context;
    GetUserIdAndSecContext(&caller, &caller_context);
    SetUserIdAndSecContext(owner, caller_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    const Oid type = getBaseType(exprType(transformExpr(pstate, raw, EXPR_KIND_SELECT_TARGET)));
    SetUserIdAndSecContext(caller, caller_context);
    relation_close(relation, NoLock);
    free_parsestate(pstate);
    PG_RETURN_OID(type);
}
