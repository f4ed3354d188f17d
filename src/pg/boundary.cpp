#include "boundary.hpp"

#include <new>
#include <stdexcept>

#include "../core/error.hpp"
#include "../core/interrupt.hpp"

namespace error_budget::pg {

namespace {

// The backend is single-threaded and the failure is raised right after it is
// stored, so one static slot is enough and keeps the hot path free of buffers.
struct RememberedFailure {
    int sqlstate;
    char message[1024];
    bool interrupted;  // the core stopped because the statement is being cancelled
};
RememberedFailure remembered;

void store(int sqlstate, const char *message) noexcept {
    remembered.interrupted = false;
    remembered.sqlstate = sqlstate;
    strlcpy(remembered.message, message, sizeof remembered.message);
}

int sqlstate_of(core::ErrorKind kind) noexcept {
    switch (kind) {
        case core::ErrorKind::InvalidParameter:
            return ERRCODE_INVALID_PARAMETER_VALUE;
        case core::ErrorKind::NumericOutOfRange:
            return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
        case core::ErrorKind::InvalidTextRepresentation:
            return ERRCODE_INVALID_TEXT_REPRESENTATION;
        case core::ErrorKind::DuplicateKey:
            return ERRCODE_CARDINALITY_VIOLATION;
        case core::ErrorKind::InvalidSeries:
            return ERRCODE_DATA_EXCEPTION;
        case core::ErrorKind::LimitExceeded:
            return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
    }
    return ERRCODE_INTERNAL_ERROR;
}

}  // namespace

void remember_current_exception() noexcept {
    try {
        throw;
    } catch (const core::Error &error) {
        store(sqlstate_of(error.kind()), error.what());
    } catch (const core::Interrupted &) {
        store(ERRCODE_QUERY_CANCELED, "canceling statement due to user request");
        remembered.interrupted = true;
    } catch (const std::bad_alloc &) {
        store(ERRCODE_OUT_OF_MEMORY, "out of memory");
    } catch (const std::overflow_error &error) {
        // Boost.Math reports a result that does not fit a double this way.
        store(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, error.what());
    } catch (const std::domain_error &error) {
        store(ERRCODE_INVALID_PARAMETER_VALUE, error.what());
    } catch (const std::range_error &error) {
        store(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, error.what());
    } catch (const std::exception &error) {
        store(ERRCODE_INTERNAL_ERROR, error.what());
    } catch (...) {
        store(ERRCODE_INTERNAL_ERROR, "unknown C++ exception");
    }
}

void raise_remembered_exception() {
    // A cancel, statement_timeout or terminate: PostgreSQL raises its own error.
    if (remembered.interrupted) CHECK_FOR_INTERRUPTS();
    ereport(ERROR, (errcode(remembered.sqlstate), errmsg("%s", remembered.message)));
    pg_unreachable();
}

bool statement_should_stop() { return QueryCancelPending || ProcDiePending; }

}  // namespace error_budget::pg
