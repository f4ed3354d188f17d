// Rules and text form of the canary_compare state (canary_samples.hpp).
#include "canary_samples.hpp"

#include <cmath>

#include "error.hpp"
#include "interrupt.hpp"
#include "key_value_text.hpp"

namespace error_budget::core {

namespace {
constexpr std::string_view kTypeName = "canary_samples";
constexpr std::string_view kForm = "confidence=<0..1> baseline={v,...} canary={v,...}";

std::vector<double> parse_values(KeyValueText &text, std::string_view key) {
    std::string_view list = text.token(key);
    if (list.size() < 2 || list.front() != '{' || list.back() != '}') text.bad_text();
    list = list.substr(1, list.size() - 2);
    std::vector<double> values;
    uint32_t tick = 0;
    while (!list.empty()) {
        count_and_check_interrupts(tick);
        const size_t comma = list.find(',');
        values.push_back(text.parse<double>(list.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
        if (list.empty()) text.bad_text();  // a trailing comma
    }
    return values;
}

void append_values(std::string &out, const char *key, const double *values, size_t count) {
    out += key;
    out += "={";
    uint32_t tick = 0;
    for (size_t i = 0; i < count; ++i) {
        count_and_check_interrupts(tick);
        if (i > 0) out += ',';
        out += format_double(values[i]);
    }
    out += '}';
}
}  // namespace

void fail_too_many_samples() {
    fail(ErrorKind::LimitExceeded,
         "a canary comparison holds at most " + std::to_string(MAX_CANARY_SAMPLES) + " values");
}

CanaryGroup canary_group(std::string_view label) {
    if (label == "baseline") return CanaryGroup::Baseline;
    if (label == "canary") return CanaryGroup::Canary;
    fail(ErrorKind::InvalidParameter, "group must be 'baseline' or 'canary', got '" +
                                          std::string(label.substr(0, 100)) + (label.size() > 100 ? "...'" : "'"));
}

void validate_sample_value(double value, CanaryGroup group) {
    if (!std::isfinite(value))
        fail(ErrorKind::InvalidParameter, std::string("a ") + (group == CanaryGroup::Baseline ? "baseline" : "canary") +
                                              " value must be finite, got " + format_double(value));
}

CanarySamplesText canary_samples_from_text(std::string_view text) {
    KeyValueText reader(text, kTypeName, kForm);
    CanarySamplesText state;
    state.confidence = reader.number<double>("confidence");
    state.baseline = parse_values(reader, "baseline");
    state.canary = parse_values(reader, "canary");
    reader.finish();
    if (!(state.confidence > 0 && state.confidence < 1)) reader.bad_text();
    if (state.baseline.size() + state.canary.size() > MAX_CANARY_SAMPLES) fail_too_many_samples();
    for (double v : state.baseline) validate_sample_value(v, CanaryGroup::Baseline);
    for (double v : state.canary) validate_sample_value(v, CanaryGroup::Canary);
    return state;
}

std::string canary_samples_to_text(double confidence, const double *baseline, size_t baseline_count,
                                   const double *canary, size_t canary_count) {
    std::string out = "confidence=" + format_double(confidence) + " ";
    append_values(out, "baseline", baseline, baseline_count);
    out += ' ';
    append_values(out, "canary", canary, canary_count);
    return out;
}

}  // namespace error_budget::core
