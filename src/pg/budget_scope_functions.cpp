// error_budget.budget_scope(dims jsonb, dimensions name[]) and
// error_budget.scope_value(text): the scope text of a budget, from
// src/core/budget_scope.cpp (called once per snapshot by compute_budgets).
#include "../core/budget_scope.hpp"
#include "boundary.hpp"

namespace core = error_budget::core;

namespace {

// dims ->> name (NULL when absent or JSON null), as SQL's ->> gives it.
text *field_text(Datum dims, const char *name) {
    LOCAL_FCINFO(call, 2);
    InitFunctionCallInfoData(*call, nullptr, 2, InvalidOid, nullptr, nullptr);
    call->args[0].value = dims;
    call->args[0].isnull = false;
    call->args[1].value = CStringGetTextDatum(name);
    call->args[1].isnull = false;
    const Datum value = jsonb_object_field_text(call);
    return call->isnull ? nullptr : DatumGetTextPP(value);
}

std::optional<std::string_view> view_of(const text *value) {
    if (!value) return std::nullopt;
    return std::string_view(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
}

}  // namespace

EB_FUNCTION(budget_scope) {
    // NULL dims: every value NULL; NULL dimensions: no dimension (as the SQL
    // version this replaces answered)
    if (PG_ARGISNULL(1)) PG_RETURN_TEXT_P(cstring_to_text(""));
    const bool no_dims = PG_ARGISNULL(0);
    const Datum dims = no_dims ? Datum(0) : PG_GETARG_DATUM(0);
    ArrayType *names = PG_GETARG_ARRAYTYPE_P(1);
    if (ARR_NDIM(names) > 1)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("budget_scope: dimensions must be a one-dimensional array")));
    Datum *elements = nullptr;
    bool *nulls = nullptr;
    int count = 0;
    deconstruct_array(names, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &elements, &nulls, &count);
    const char **dimension = static_cast<const char **>(palloc0(sizeof(char *) * (count + 1)));
    text **value = static_cast<text **>(palloc0(sizeof(text *) * (count + 1)));
    for (int i = 0; i < count; ++i) {
        if (nulls[i])
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("budget_scope: a dimension name is NULL")));
        dimension[i] = NameStr(*DatumGetName(elements[i]));
        value[i] = no_dims ? nullptr : field_text(dims, dimension[i]);
    }
    std::size_t bound = 0;
    {
        std::vector<core::ScopeDimension> parts;
        for (int i = 0; i < count; ++i) parts.push_back({dimension[i], view_of(value[i])});
        bound = core::budget_scope_bound(parts);
    }
    text *result = static_cast<text *>(palloc(VARHDRSZ + bound));
    std::size_t length = 0;
    {  // no palloc (which can ereport) while the vector and string live
        std::vector<core::ScopeDimension> parts;
        for (int i = 0; i < count; ++i) parts.push_back({dimension[i], view_of(value[i])});
        const std::string scope = core::budget_scope(parts);
        length = scope.size();
        memcpy(VARDATA(result), scope.data(), length);
    }
    SET_VARSIZE(result, VARHDRSZ + length);
    PG_RETURN_TEXT_P(result);
}

EB_FUNCTION(scope_value) {
    const text *value = PG_ARGISNULL(0) ? nullptr : PG_GETARG_TEXT_PP(0);
    const std::size_t bound = 2 * (value ? VARSIZE_ANY_EXHDR(value) : 4) + 3;
    text *result = static_cast<text *>(palloc(VARHDRSZ + bound));
    std::size_t length = 0;
    {
        const std::string written = core::scope_value(view_of(value));
        length = written.size();
        memcpy(VARDATA(result), written.data(), length);
    }
    SET_VARSIZE(result, VARHDRSZ + length);
    PG_RETURN_TEXT_P(result);
}
