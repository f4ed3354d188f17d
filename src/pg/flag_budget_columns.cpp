#include "flag_budget_columns.hpp"

extern "C" {
#include "utils/jsonb.h"
}

namespace error_budget::pg {

namespace {

AttrNumber column_named(Relation rel, const char *name) {
    const int attnum = SPI_fnumber(RelationGetDescr(rel), name);
    if (attnum <= 0)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                        errmsg("flag_budget: column \"%s\" of table \"%s\" does not exist", name,
                               RelationGetRelationName(rel)),
                        errhint("%s", flag_budget_usage_hint())));
    return static_cast<AttrNumber>(attnum);
}

[[noreturn]] void wrong_type(Relation rel, const char *role, AttrNumber attnum, const char *allowed) {
    const Form_pg_attribute attr = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
    ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                    errmsg("flag_budget: %s column \"%s\" of table \"%s\" has type %s, expected %s", role,
                           NameStr(attr->attname), RelationGetRelationName(rel), format_type_be(attr->atttypid),
                           allowed)));
    pg_unreachable();
}

// The optional conventional column `name`, if it exists with one of the types.
AttrNumber optional_column(Relation rel, const char *name, const Oid *types, int type_count) {
    const int attnum = SPI_fnumber(RelationGetDescr(rel), name);
    if (attnum <= 0) return InvalidAttrNumber;
    const Oid type = budget_column_type(rel, static_cast<AttrNumber>(attnum));
    for (int i = 0; i < type_count; ++i)
        if (type == types[i]) return static_cast<AttrNumber>(attnum);
    return InvalidAttrNumber;
}

}  // namespace

Oid budget_column_type(Relation rel, AttrNumber attnum) {
    return getBaseType(TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid);
}

int64 snapshot_id_of(Datum id, Oid type) {
    switch (type) {
        case INT8OID: return DatumGetInt64(id);
        case INT4OID: return DatumGetInt32(id);
        default: return DatumGetInt16(id);
    }
}

BudgetColumns resolve_budget_columns(const TriggerData *data) {
    const Trigger *trigger = data->tg_trigger;
    Relation rel = data->tg_relation;
    if (trigger->tgnargs < 2 || trigger->tgnargs > 2 + MAX_KEY_COLUMNS)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("flag_budget on table \"%s\" needs 2 to %d arguments, got %d",
                               RelationGetRelationName(rel), 2 + MAX_KEY_COLUMNS, trigger->tgnargs),
                        errhint("%s", flag_budget_usage_hint())));
    BudgetColumns columns{};
    columns.remaining = column_named(rel, trigger->tgargs[0]);
    columns.status = column_named(rel, trigger->tgargs[1]);
    if (columns.remaining == columns.status)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("flag_budget: the remaining and status columns must differ, got \"%s\" twice",
                               trigger->tgargs[0])));
    const Oid remaining_type = budget_column_type(rel, columns.remaining);
    if (remaining_type != FLOAT8OID && remaining_type != FLOAT4OID && remaining_type != NUMERICOID)
        wrong_type(rel, "remaining", columns.remaining, "double precision, real or numeric");
    const Oid status_type = budget_column_type(rel, columns.status);
    if (status_type != TEXTOID && status_type != VARCHAROID && !type_is_enum(status_type))
        wrong_type(rel, "status", columns.status, "text, varchar or an enum such as error_budget.budget_status");
    columns.key_count = trigger->tgnargs - 2;
    for (int i = 0; i < columns.key_count; ++i) columns.keys[i] = column_named(rel, trigger->tgargs[2 + i]);

    static const Oid id_types[] = {INT8OID, INT4OID, INT2OID};
    static const Oid time_types[] = {TIMESTAMPTZOID};
    static const Oid json_types[] = {JSONBOID};
    columns.snapshot_id = optional_column(rel, "id", id_types, 3);
    columns.computed_at = optional_column(rel, "computed_at", time_types, 1);
    columns.dimensions = optional_column(rel, "dimensions", json_types, 1);
    return columns;
}


char *budget_key_json(const TriggerData *data, const BudgetColumns &columns, char *const *values, const int *lengths) {
    StringInfoData json;
    initStringInfo(&json);
    appendStringInfoChar(&json, '{');
    for (int i = 0; i < columns.key_count; ++i) {
        if (i > 0) appendStringInfoString(&json, ", ");
        escape_json(&json, data->tg_trigger->tgargs[2 + i]);
        appendStringInfoString(&json, ": ");
        if (values[i])
            escape_json(&json, pnstrdup(values[i], lengths[i]));
        else
            appendStringInfoString(&json, "null");
    }
    appendStringInfoChar(&json, '}');
    return json.data;
}

Datum budget_key_jsonb(const TriggerData *data, const BudgetColumns &columns, char *const *values, const int *lengths) {
    // The same value jsonb_in makes of budget_key_json's text (its parser pushes the
    // same way: keys sorted, the last of a repeated key kept), without the text.
    JsonbParseState *state = nullptr;
    pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
    for (int i = 0; i < columns.key_count; ++i) {
        JsonbValue key{};
        key.type = jbvString;
        key.val.string.val = data->tg_trigger->tgargs[2 + i];
        key.val.string.len = static_cast<int>(strlen(key.val.string.val));
        pushJsonbValue(&state, WJB_KEY, &key);
        JsonbValue value{};
        if (values[i]) {
            value.type = jbvString;
            value.val.string.val = values[i];
            value.val.string.len = lengths[i];
        } else {
            value.type = jbvNull;
        }
        pushJsonbValue(&state, WJB_VALUE, &value);
    }
    return JsonbPGetDatum(JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, nullptr)));
}

const char *flag_budget_usage_hint() {
    return "Use CREATE TRIGGER ... BEFORE INSERT OR UPDATE ON <table> FOR EACH ROW "
           "EXECUTE FUNCTION flag_budget('<remaining column>', '<status column>' [, '<key column>', ...]), and for "
           "bulk bookkeeping also CREATE TRIGGER ... AFTER INSERT ON <table> REFERENCING NEW TABLE AS <name> "
           "FOR EACH STATEMENT EXECUTE FUNCTION flag_budget(<the same arguments>).";
}

}  // namespace error_budget::pg
