#include "call_io.hpp"

namespace error_budget::pg {

ArrayElements array_arg(FunctionCallInfo fcinfo, int argno, Oid type, const char *what) {
    if (PG_ARGISNULL(argno)) return ArrayElements{nullptr, 0};
    ArrayType *array = PG_GETARG_ARRAYTYPE_P(argno);
    int16 typlen;
    bool typbyval;
    char typalign;
    get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
    Datum *values;
    bool *nulls;
    int count;
    deconstruct_array(array, type, typlen, typbyval, typalign, &values, &nulls, &count);
    for (int i = 0; i < count; ++i)
        if (nulls[i]) ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not contain NULL", what)));
    return ArrayElements{values, count};
}

const double *float8_array_arg(FunctionCallInfo fcinfo, int argno, int *count, const char *what) {
    const ArrayElements elements = array_arg(fcinfo, argno, FLOAT8OID, what);
    *count = elements.count;
    if (PG_ARGISNULL(argno)) return nullptr;
    auto *out = static_cast<double *>(palloc(sizeof(double) * (elements.count + 1)));
    for (int i = 0; i < elements.count; ++i) out[i] = DatumGetFloat8(elements.values[i]);
    return out;
}

}  // namespace error_budget::pg
