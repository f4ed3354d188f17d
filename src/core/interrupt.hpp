// Cancellation of long work in the core.
//
// The core has no PostgreSQL headers, so the glue supplies a callback that says
// whether the statement should stop (a cancel request, statement_timeout, a
// terminate). Every loop whose length grows with the input calls
// check_interrupts() every so often (count_and_check_interrupts() keeps that cheap
// in hot loops); when the callback says stop it throws Interrupted, which unwinds
// the C++ frames (their destructors run) up to the glue's boundary, where
// PostgreSQL's own interrupt processing raises the cancel error. A longjmp from
// inside the core would skip those destructors, hence the exception.
#pragma once

#include <cstdint>
#include <stdexcept>

namespace error_budget::core {

class Interrupted : public std::runtime_error {
public:
    Interrupted() : std::runtime_error("canceling statement") {}
};

using InterruptCheck = bool (*)();

// Installed once by the glue (nullptr: never interrupted, as in unit tests).
void set_interrupt_check(InterruptCheck check);

// Throws Interrupted when the glue's callback asks to stop.
void check_interrupts();

// For hot loops: checks every 2^16 calls (a few hundred microseconds of work).
inline void count_and_check_interrupts(uint32_t &counter) {
    if ((++counter & 0xFFFFu) == 0) check_interrupts();
}

}  // namespace error_budget::core
