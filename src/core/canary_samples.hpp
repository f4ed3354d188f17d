// The samples of a canary comparison (the state of the canary_compare aggregate):
// the confidence level, then the baseline and the canary values, 8 bytes each.
// Text form: confidence=0.98 baseline={1.5,2,3} canary={4,5.25}
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "confidence.hpp"

namespace error_budget::core {

// At most this many values in one state (its flat form must stay under 1 GB).
constexpr size_t MAX_CANARY_SAMPLES = 120000000;
[[noreturn]] void fail_too_many_samples();

// The group label of a row: "baseline" or "canary"; anything else fails naming it.
enum class CanaryGroup { Baseline, Canary };
CanaryGroup canary_group(std::string_view label);

void validate_sample_value(double value, CanaryGroup group);

struct CanarySamplesText {
    double confidence = 0;
    std::vector<double> baseline;
    std::vector<double> canary;
};
CanarySamplesText canary_samples_from_text(std::string_view text);
std::string canary_samples_to_text(double confidence, const double *baseline, size_t baseline_count,
                                   const double *canary, size_t canary_count);

}  // namespace error_budget::core
