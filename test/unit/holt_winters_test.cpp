// Unit tests of Holt-Winters requests, series checks, predictions and text forms
// (src/core/holt_winters*.hpp). Exactness against R: holt_winters_r_test.cpp.
#include "holt_winters.hpp"
#include "holt_winters_series.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "error.hpp"

using namespace error_budget::core;

namespace {

HwRequest request(int32_t horizon, int32_t season_length = 0, int32_t model = 0) {
    HwRequest r{};
    r.horizon = horizon;
    r.season_length = season_length;
    r.model = model;
    return r;
}

template <typename Action>
ErrorKind failure_kind(Action action) {
    try {
        action();
    } catch (const Error &error) {
        return error.kind();
    }
    ADD_FAILURE() << "no error";
    return ErrorKind::NumericOutOfRange;
}

// A daily series (civil == absolute) of n points.
struct Daily {
    std::vector<int64_t> keys;
    std::vector<double> values;
};
Daily daily(size_t n, double (*value)(size_t)) {
    Daily d;
    for (size_t i = 0; i < n; ++i) {
        d.keys.push_back(static_cast<int64_t>(i) * MICROS_PER_DAY);
        d.values.push_back(value(i));
    }
    return d;
}
double seasonal_value(size_t i) { return 50 + 0.5 * static_cast<double>(i) + 8 * std::sin(static_cast<double>(i)); }

}  // namespace

TEST(HoltWinters, DefaultModelDependsOnSeasonLength) {
    EXPECT_EQ(resolve_request(request(3, 12)).model, HwModel::Additive);
    EXPECT_EQ(resolve_request(request(3)).model, HwModel::Linear);
    EXPECT_EQ(resolve_request(request(NO_HORIZON, 4, static_cast<int32_t>(HwModel::Multiplicative))).model,
              HwModel::Multiplicative);
    EXPECT_EQ(parse_model("Simple"), HwModel::Simple);
    EXPECT_EQ(failure_kind([] { parse_model("holt"); }), ErrorKind::InvalidParameter);
}

TEST(HoltWinters, RequestsAreValidated) {
    EXPECT_EQ(failure_kind([] { resolve_request(request(0)); }), ErrorKind::InvalidParameter);
    EXPECT_EQ(failure_kind([] { resolve_request(request(MAX_HORIZON + 1)); }), ErrorKind::InvalidParameter);
    EXPECT_EQ(failure_kind([] { validate_season_length(1); }), ErrorKind::InvalidParameter);
    EXPECT_EQ(failure_kind([] { resolve_request(request(3, 0, static_cast<int32_t>(HwModel::Additive))); }),
              ErrorKind::InvalidParameter);
    EXPECT_EQ(failure_kind([] { resolve_request(request(3, 7, static_cast<int32_t>(HwModel::Linear))); }),
              ErrorKind::InvalidParameter);
    HwRequest beta_for_simple = request(3, 0, static_cast<int32_t>(HwModel::Simple));
    beta_for_simple.given = GIVEN_BETA;
    beta_for_simple.beta = 0.1;
    EXPECT_EQ(failure_kind([&] { resolve_request(beta_for_simple); }), ErrorKind::InvalidParameter);
    HwRequest nan_alpha = request(3);
    nan_alpha.given = GIVEN_ALPHA;
    nan_alpha.alpha = std::nan("");
    EXPECT_EQ(failure_kind([&] { resolve_request(nan_alpha); }), ErrorKind::InvalidParameter);
    HwRequest other = request(4);
    EXPECT_EQ(failure_kind([&] { require_same_request(request(3), other); }), ErrorKind::InvalidParameter);
    EXPECT_NO_THROW(require_same_request(request(3, 7), request(3, 7)));
}

TEST(HoltWinters, SeriesChecks) {
    const HwSpec seasonal = resolve_request(request(3, 7));
    Daily d = daily(13, seasonal_value);
    EXPECT_EQ(failure_kind([&] { fit_series(seasonal, d.keys.data(), d.keys.data(), d.values.data(), 13); }),
              ErrorKind::InvalidSeries);
    d = daily(14, seasonal_value);
    EXPECT_NO_THROW(fit_series(seasonal, d.keys.data(), d.keys.data(), d.values.data(), 14));
    d.values[5] = INFINITY;
    EXPECT_EQ(failure_kind([&] { fit_series(seasonal, d.keys.data(), d.keys.data(), d.values.data(), 14); }),
              ErrorKind::InvalidParameter);
    d = daily(14, seasonal_value);
    d.keys[13] += MICROS_PER_DAY;
    EXPECT_EQ(failure_kind([&] { fit_series(seasonal, d.keys.data(), d.keys.data(), d.values.data(), 14); }),
              ErrorKind::InvalidSeries);
    const HwSpec multiplicative = resolve_request(request(3, 7, static_cast<int32_t>(HwModel::Multiplicative)));
    d = daily(14, seasonal_value);
    d.values[0] = -1;
    EXPECT_EQ(failure_kind([&] { fit_series(multiplicative, d.keys.data(), d.keys.data(), d.values.data(), 14); }),
              ErrorKind::InvalidParameter);
}

TEST(HoltWinters, AnOverflowingRecursionIsAnErrorNotANumber) {
    // Values near the double range: level + trend overflows to infinity.
    std::vector<double> x;
    for (int i = 0; i < 20; ++i) x.push_back((i % 2 ? 1.7 : -1.7) * 1e308);
    HwSpec spec = resolve_request(request(3));
    spec.alpha = 1.0;
    spec.beta = 1.0;
    EXPECT_EQ(failure_kind([&] { fit_holt_winters(spec, x.data(), x.size()); }), ErrorKind::NumericOutOfRange);
}

TEST(HoltWinters, ForecastContinuesAPerfectLine) {
    // A noise-free line: Holt's method with alpha = beta = 1 continues it exactly.
    std::vector<double> x;
    for (int i = 0; i < 20; ++i) x.push_back(3.0 + 2.0 * i);
    HwSpec spec = resolve_request(request(3));
    spec.alpha = 1.0;
    spec.beta = 1.0;
    const HwFit fit = fit_holt_winters(spec, x.data(), x.size());
    EXPECT_EQ(forecast(fit, 3), (std::vector<double>{43.0, 45.0, 47.0}));
    EXPECT_EQ(fit.sse, 0.0);
}

TEST(HoltWinters, IntervalsWidenWithTheHorizonAndTheLevel) {
    const Daily d = daily(60, seasonal_value);
    const HwFit fit = fit_holt_winters(resolve_request(request(10, 7)), d.values.data(), d.values.size());
    const HwPrediction p95 = predict(fit, 10, 0.95), p80 = predict(fit, 10, 0.80);
    for (size_t h = 0; h < 10; ++h) {
        EXPECT_LT(p95.lower[h], p95.forecast[h]);
        EXPECT_GT(p95.upper[h], p95.forecast[h]);
        EXPECT_NEAR(p95.upper[h] - p95.forecast[h], p95.forecast[h] - p95.lower[h], 1e-9);
        EXPECT_LT(p80.upper[h] - p80.lower[h], p95.upper[h] - p95.lower[h]);
        if (h > 0) {
            EXPECT_GE(p95.upper[h] - p95.lower[h], p95.upper[h - 1] - p95.lower[h - 1]);
        }
    }
    EXPECT_EQ(failure_kind([&] { predict(fit, 3, 1.0); }), ErrorKind::InvalidParameter);
}

TEST(HoltWinters, FutureKeysFollowTheCalendar) {
    SeriesFit model{};
    model.step = CalendarStep{CalendarStep::Kind::Months, 1, false};
    model.last_civil = days_from_civil({2026, 11, 1}) * MICROS_PER_DAY;
    const FutureKeys keys = future_keys(model, 3);
    EXPECT_TRUE(keys.civil);
    EXPECT_EQ(format_civil(keys.keys[2]), "2027-02-01 00:00:00");
}

TEST(HoltWinters, StateTextRoundTrips) {
    HwStateHeader header{};
    header.request = request(14, 7, static_cast<int32_t>(HwModel::Additive));
    header.request.given = GIVEN_ALPHA | GIVEN_GAMMA;
    header.request.alpha = 0.1;
    header.request.gamma = 1.0 / 3.0;
    header.date_keys = 1;
    const std::vector<SeriesPoint> points = {{-5, 0.1}, {86400000000, -2.5e300}, {7, 1.0 / 7.0}};
    const std::string text = state_to_text(header, points.data(), points.size());
    HwStateHeader back{};
    std::vector<SeriesPoint> back_points;
    state_from_text(text, back, back_points);
    EXPECT_TRUE(same_request(back.request, header.request));
    EXPECT_EQ(back.date_keys, 1);
    ASSERT_EQ(back_points.size(), points.size());
    for (size_t i = 0; i < points.size(); ++i) {
        EXPECT_EQ(back_points[i].t, points[i].t);
        EXPECT_EQ(back_points[i].value, points[i].value);
    }
    EXPECT_EQ(failure_kind([&] { state_from_text(text + ",", back, back_points); }),
              ErrorKind::InvalidTextRepresentation);
    EXPECT_EQ(failure_kind([&] { state_from_text("horizon=1", back, back_points); }),
              ErrorKind::InvalidTextRepresentation);
}

TEST(HoltWinters, ModelTextRoundTrips) {
    const Daily d = daily(30, seasonal_value);
    const SeriesFit model = fit_series(resolve_request(request(3, 7)), d.keys.data(), d.keys.data(),
                                       d.values.data(), d.values.size());
    const std::string text = model_to_text(model);
    const SeriesFit back = model_from_text(text);
    EXPECT_EQ(model_to_text(back), text);
    EXPECT_EQ(back.fit.season, model.fit.season);
    EXPECT_EQ(back.fit.sse, model.fit.sse);
    EXPECT_EQ(back.step, model.step);
    EXPECT_EQ(failure_kind([&] { model_from_text(text.substr(0, text.size() / 2)); }),
              ErrorKind::InvalidTextRepresentation);
}
