#include "confidence.hpp"

#include "error.hpp"

namespace error_budget::core {

void validate_confidence(double confidence) {
    if (!(confidence > 0 && confidence < 1))
        fail(ErrorKind::InvalidParameter, "confidence must be in (0, 1), got " + format_double(confidence));
}

void require_same_confidence(double group, double row) {
    if (group != row)
        fail(ErrorKind::InvalidParameter, "confidence must be the same for every row of a group, got " +
                                              format_double(group) + " and " + format_double(row));
}

}  // namespace error_budget::core
