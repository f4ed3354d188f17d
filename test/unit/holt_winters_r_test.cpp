// Holt-Winters against R: every fixture in test/fixtures/holt_winters was written by
// R's stats::HoltWinters + predict (make_fixtures.R). With R's parameters our
// coefficients, SSE, forecasts and prediction intervals must equal R's to 1e-9
// relative; with parameters left to fit, our SSE may be at most 0.1% above R's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "holt_winters.hpp"
#include "r_fixtures.hpp"

using namespace error_budget::core;

namespace {

using Fixture = error_budget::test::RFixture;
std::vector<Fixture> load_fixtures() { return error_budget::test::load_r_fixtures(EB_FIXTURE_DIR); }

HwSpec spec_of(const Fixture &f, bool with_parameters) {
    HwSpec spec{};
    spec.model = parse_model(f.word("model"));
    spec.season_length = static_cast<int32_t>(f.number("season_length"));
    if (with_parameters) {
        spec.alpha = f.number("alpha");
        if (!f.is_na("beta")) spec.beta = f.number("beta");
        if (!f.is_na("gamma")) spec.gamma = f.number("gamma");
    }
    return spec;
}

// |actual - expected| <= 1e-9 * |expected|, with a floor of 1e-9 of the series'
// scale for values that are close to 0 (additive season figures, small trends).
void expect_close(double actual, double expected, double scale, const std::string &what) {
    const double tolerance = 1e-9 * std::max(std::fabs(expected), 1e-3 * scale);
    EXPECT_NEAR(actual, expected, tolerance) << what;
}

void expect_all_close(const std::vector<double> &actual, const std::vector<double> &expected, double scale,
                      const std::string &what) {
    ASSERT_EQ(actual.size(), expected.size()) << what;
    for (size_t i = 0; i < actual.size(); ++i) expect_close(actual[i], expected[i], scale, what + "[" + std::to_string(i) + "]");
}

}  // namespace

TEST(HoltWintersR, FixturesArePresent) {
    const std::vector<Fixture> fixtures = load_fixtures();
    EXPECT_GE(fixtures.size(), 12u) << "fixtures missing in " EB_FIXTURE_DIR;
}

// R's parameters in: the same numbers out.
TEST(HoltWintersR, SameParametersGiveRsNumbers) {
    int checked = 0;
    for (const Fixture &f : load_fixtures()) {
        SCOPED_TRACE(f.name);
        const std::vector<double> x = f.numbers("x");
        double scale = 0;
        for (double v : x) scale = std::max(scale, std::fabs(v));
        const HwFit fit = fit_holt_winters(spec_of(f, true), x.data(), x.size());
        expect_close(fit.sse, f.number("sse"), scale * scale, "sse");
        expect_close(fit.level, f.number("level"), scale, "level");
        if (!f.is_na("trend")) expect_close(fit.trend, f.number("trend"), scale, "trend");
        if (!f.is_na("season")) expect_all_close(fit.season, f.numbers("season"), scale, "season");
        const int32_t horizon = static_cast<int32_t>(f.number("horizon"));
        const HwPrediction prediction = predict(fit, horizon, f.number("interval_level"));
        expect_all_close(prediction.forecast, f.numbers("forecast"), scale, "forecast");
        expect_all_close(prediction.lower, f.numbers("lower"), scale, "lower");
        expect_all_close(prediction.upper, f.numbers("upper"), scale, "upper");
        ++checked;
    }
    EXPECT_GE(checked, 12);
}

// Parameters left open: our fit is at least as good as R's optim (within 0.1%).
TEST(HoltWintersR, FittedParametersReachRsSse) {
    int checked = 0;
    for (const Fixture &f : load_fixtures()) {
        if (f.word("fitted_params") != "yes") continue;
        SCOPED_TRACE(f.name);
        const std::vector<double> x = f.numbers("x");
        const HwFit fit = fit_holt_winters(spec_of(f, false), x.data(), x.size());
        EXPECT_LE(fit.sse, f.number("sse") * 1.001)
            << "ours: alpha=" << fit.alpha << " beta=" << fit.beta << " gamma=" << fit.gamma << " sse=" << fit.sse
            << "; R: alpha=" << f.word("alpha") << " beta=" << f.word("beta") << " gamma=" << f.word("gamma")
            << " sse=" << f.word("sse");
        ++checked;
    }
    EXPECT_GE(checked, 6);
}
