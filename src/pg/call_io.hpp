// What the glue's SQL-callable functions share to read array arguments (every one
// of them would otherwise repeat these lines; composite results: composite_row.hpp).
// Each may ereport: call them before any C++ object with a destructor exists.
#pragma once

#include "postgres_headers.hpp"

namespace error_budget::pg {

// The elements of a one-dimensional array argument of element type `type`; a
// NULL array gives no elements, a NULL element is refused (22004) naming `what`.
struct ArrayElements {
    Datum *values;
    int count;
};
ArrayElements array_arg(FunctionCallInfo fcinfo, int argno, Oid type, const char *what);

// The same for float8[], as doubles (nullptr when the argument is NULL).
const double *float8_array_arg(FunctionCallInfo fcinfo, int argno, int *count, const char *what);

}  // namespace error_budget::pg
