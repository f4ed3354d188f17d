// Sampled quality: the Wilson score interval of a good ratio, and the budget
// remaining it implies. Quality SLIs are often measured on a sample (an
// LLM-as-judge scores a fraction of calls): the remaining budget is then an
// estimate, and the interval says how sure it is. The interval is R's
// prop.test(good, events, correct = FALSE)$conf.int, operation for operation.
#pragma once

namespace error_budget::core {

struct ProportionInterval {
    double lower;
    double upper;
};

// good in [0, events], events > 0, confidence in (0, 1).
ProportionInterval wilson_interval(double good, double events, double confidence);

struct RemainingInterval {
    double remaining;  // ((good / events) - slo) / (1 - slo), as budget_remaining()
    double lower;      // the interval's bounds mapped through the same formula
    double upper;
};

RemainingInterval budget_remaining_interval(double good, double events, double slo, double confidence);

}  // namespace error_budget::core
