// error_budget.check_sql_expression(expression, what): raises an ERROR unless
// `expression` is one SQL value expression (what an SLO definition stores as its
// good/event/amount/filter SQL), so that pasting it into the generated budget query
// can never add a clause, a second statement or a column alias. It only parses
// (PostgreSQL's raw parser); whether the expression fits the source table and has
// the right type is checked by planning a query over the table.
#include "boundary.hpp"

extern "C" {
#include "nodes/parsenodes.h"
#include "parser/parser.h"
}

namespace {

bool is_plain_select_of_one_value(const List *statements) {
    if (list_length(statements) != 1) return false;
    const Node *node = linitial_node(RawStmt, statements)->stmt;
    if (!IsA(node, SelectStmt)) return false;
    const auto *select = reinterpret_cast<const SelectStmt *>(node);
    if (select->op != SETOP_NONE || select->distinctClause != NIL || select->intoClause != nullptr ||
        select->fromClause != NIL || select->whereClause != nullptr || select->groupClause != NIL ||
        select->havingClause != nullptr || select->windowClause != NIL || select->valuesLists != NIL ||
        select->sortClause != NIL || select->limitOffset != nullptr || select->limitCount != nullptr ||
        select->lockingClause != NIL || select->withClause != nullptr || list_length(select->targetList) != 1)
        return false;
    const auto *target = linitial_node(ResTarget, select->targetList);
    return target->name == nullptr;  // no alias
}

}  // namespace

EB_FUNCTION(check_sql_expression) {
    const char *expression = text_to_cstring(PG_GETARG_TEXT_PP(0));
    const char *what = text_to_cstring(PG_GETARG_TEXT_PP(1));
    StringInfoData query;
    initStringInfo(&query);
    appendStringInfo(&query, "SELECT (%s\n)", expression);
    List *statements = NIL;
    MemoryContext caller = CurrentMemoryContext;
    PG_TRY();
    {
        statements = raw_parser(query.data, RAW_PARSE_DEFAULT);
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
    if (!is_plain_select_of_one_value(statements))
        ereport(ERROR, (errcode(ERRCODE_SYNTAX_ERROR),
                        errmsg("%s must be a single SQL expression", what),
                        errdetail("The expression was: %s", expression)));
    PG_RETURN_VOID();
}
