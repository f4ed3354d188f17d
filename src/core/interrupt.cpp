#include "interrupt.hpp"

namespace error_budget::core {

namespace {
InterruptCheck interrupt_check = nullptr;
}

void set_interrupt_check(InterruptCheck check) { interrupt_check = check; }

void check_interrupts() {
    if (interrupt_check != nullptr && interrupt_check()) throw Interrupted();
}

}  // namespace error_budget::core
