// The C++/PostgreSQL boundary: the single mechanism by which every SQL-callable
// function of the extension is entered.
//
// PostgreSQL reports errors with ereport(), which longjmps; C++ reports them with
// exceptions, which unwind. The two must never cross:
//   * a C++ exception must not propagate into PostgreSQL's C frames, and
//   * ereport() must not be called inside a catch block (the exception object
//     would never be destroyed) nor jump over a live C++ destructor.
// EB_FUNCTION(name) defines an fmgr V1 entry point whose body runs inside
// call_guarded(): any exception is copied to plain memory inside the catch block,
// and only after the handler has ended is it raised as ereport(ERROR) with the
// SQLSTATE that fits (core::ErrorKind -> SQLSTATE, std::bad_alloc -> out of memory).
//
// Rule for bodies: no object with a destructor may be alive across a call that can
// ereport (palloc, detoasting, SPI, ...). Keep C++ objects in inner scopes.
#pragma once

#include "postgres_headers.hpp"

namespace error_budget::pg {

// Called only from inside a catch block: classifies the in-flight exception and
// copies its message and SQLSTATE into static storage. Never throws.
void remember_current_exception() noexcept;

// Raises what remember_current_exception() stored, as ereport(ERROR).
[[noreturn]] void raise_remembered_exception();

// The core's interrupt callback (installed by _PG_init): a cancel request,
// statement_timeout or terminate is pending. It only reads the flags; the error is
// raised by CHECK_FOR_INTERRUPTS() once the core has unwound to the boundary.
bool statement_should_stop();

template <typename Body>
inline Datum call_guarded(FunctionCallInfo fcinfo, Body body) {
    try {
        return body(fcinfo);
    } catch (...) {
        remember_current_exception();
    }
    raise_remembered_exception();
}

}  // namespace error_budget::pg

// Defines the SQL-callable C function `name` (declare it in the extension script
// with AS 'MODULE_PATHNAME'); the braces that follow are its guarded body, with
// `fcinfo` in scope as in any PG_FUNCTION_ARGS function.
#define EB_FUNCTION(name)                                                   \
    static Datum name##_body(FunctionCallInfo fcinfo);                      \
    extern "C" {                                                            \
    PG_FUNCTION_INFO_V1(name);                                              \
    }                                                                       \
    extern "C" Datum name(PG_FUNCTION_ARGS) {                               \
        return error_budget::pg::call_guarded(fcinfo, name##_body);         \
    }                                                                       \
    static Datum name##_body(FunctionCallInfo fcinfo)
