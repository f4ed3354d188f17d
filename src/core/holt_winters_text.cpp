// Text forms of holt_winters_state and holt_winters_model (see holt_winters_series.hpp).
#include <cmath>

#include "error.hpp"
#include "interrupt.hpp"
#include "holt_winters_series.hpp"
#include "key_value_text.hpp"

namespace error_budget::core {

namespace {

constexpr std::string_view STATE_FORM =
    "horizon=<n|none> season_length=<n|none> model=<name|default> alpha=<0..1|NULL> beta=<0..1|NULL> "
    "gamma=<0..1|NULL> keys=<date|timestamptz> points=<t>:<value>,...";
constexpr std::string_view MODEL_FORM =
    "model=<name> season_length=<n> alpha=<a> beta=<b> gamma=<g> sse=<x> level=<x> trend=<x> "
    "season={<s1>,...} residual_variance=<x> residuals=<n> points=<n> step=<n><month|month-end|day|us> "
    "last=<YYYY-MM-DDTHH:MM:SS[.ffffff]> last_epoch_us=<n>";

std::string optional_number(int32_t given, int32_t bit, double value) {
    return (given & bit) ? format_double(value) : std::string("NULL");
}

double parse_optional(const KeyValueText &parser, std::string_view token, int32_t bit, int32_t &given) {
    if (token == "NULL") return 0.0;
    given |= bit;
    return parser.parse<double>(token);
}

std::string step_to_text(const CalendarStep &step) {
    switch (step.kind) {
        case CalendarStep::Kind::Months:
            return std::to_string(step.amount) + (step.month_end ? "month-end" : "month");
        case CalendarStep::Kind::Days:
            return std::to_string(step.amount) + "day";
        case CalendarStep::Kind::Duration:
            break;
    }
    return std::to_string(step.amount) + "us";
}

CalendarStep step_from_text(const KeyValueText &parser, std::string_view token) {
    size_t digits = 0;
    while (digits < token.size() && token[digits] >= '0' && token[digits] <= '9') ++digits;
    const auto amount = parser.parse<int64_t>(token.substr(0, digits));
    const std::string_view unit = token.substr(digits);
    if (amount <= 0) parser.bad_text();
    if (unit == "month") return {CalendarStep::Kind::Months, amount, false};
    if (unit == "month-end") return {CalendarStep::Kind::Months, amount, true};
    if (unit == "day") return {CalendarStep::Kind::Days, amount, false};
    if (unit == "us") return {CalendarStep::Kind::Duration, amount, false};
    parser.bad_text();
}

// "2026-10-01T00:00:00" with an optional ".ffffff"; format_civil writes a space.
// YYYY-MM-DDTHH:MM:SS[.ffffff]; the year has 4 or more digits (and a '-' before
// the year 0), as format_civil writes it for every time PostgreSQL can hold.
std::string civil_to_text(int64_t civil) {
    std::string text = format_civil(civil);
    text[text.find(' ')] = 'T';
    return text;
}

bool all_digits(std::string_view text, size_t length) {
    if (text.size() != length) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

int64_t civil_from_text(const KeyValueText &parser, std::string_view token) {
    const size_t t = token.find('T');
    if (t == std::string_view::npos) parser.bad_text();
    const std::string_view date = token.substr(0, t), time = token.substr(t + 1);
    const size_t sign = !date.empty() && date[0] == '-' ? 1 : 0;
    const size_t month_at = date.find('-', sign);
    if (month_at == std::string_view::npos || month_at < sign + 4 || date.size() != month_at + 6 ||
        date[month_at + 3] != '-' || !all_digits(date.substr(sign, month_at - sign), month_at - sign) ||
        !all_digits(date.substr(month_at + 1, 2), 2) || !all_digits(date.substr(month_at + 4, 2), 2))
        parser.bad_text();
    if ((time.size() != 8 && time.size() != 15) || time[2] != ':' || time[5] != ':' || !all_digits(time.substr(0, 2), 2) ||
        !all_digits(time.substr(3, 2), 2) || !all_digits(time.substr(6, 2), 2) ||
        (time.size() == 15 && (time[8] != '.' || !all_digits(time.substr(9), 6))))
        parser.bad_text();
    const CivilDate civil{parser.parse<int64_t>(date.substr(0, month_at)), parser.parse<int>(date.substr(month_at + 1, 2)),
                          parser.parse<int>(date.substr(month_at + 4, 2))};
    const int64_t hour = parser.parse<int64_t>(time.substr(0, 2)), minute = parser.parse<int64_t>(time.substr(3, 2)),
                  second = parser.parse<int64_t>(time.substr(6, 2));
    const int64_t micros = time.size() == 15 ? parser.parse<int64_t>(time.substr(9)) : 0;
    if (civil.year < -4713 || civil.year > 294277 || civil.month < 1 || civil.month > 12 || civil.day < 1 ||
        civil.day > days_in_month(civil.year, civil.month) || hour > 23 || minute > 59 || second > 59)
        parser.bad_text();
    return days_from_civil(civil) * MICROS_PER_DAY + hour * MICROS_PER_HOUR + minute * MICROS_PER_MINUTE +
           second * MICROS_PER_SECOND + micros;
}

}  // namespace

// ---- holt_winters_state --------------------------------------------------------

std::string state_to_text(const HwStateHeader &header, const SeriesPoint *points, size_t n) {
    const HwRequest &r = header.request;
    std::string text = "horizon=" + (r.horizon == NO_HORIZON ? std::string("none") : std::to_string(r.horizon)) +
                       " season_length=" + (r.season_length == 0 ? std::string("none") : std::to_string(r.season_length)) +
                       " model=" + (r.model == 0 ? std::string("default") : model_name(static_cast<HwModel>(r.model))) +
                       " alpha=" + optional_number(r.given, GIVEN_ALPHA, r.alpha) +
                       " beta=" + optional_number(r.given, GIVEN_BETA, r.beta) +
                       " gamma=" + optional_number(r.given, GIVEN_GAMMA, r.gamma) +
                       " keys=" + (header.date_keys ? "date" : "timestamptz") + " points=";
    text.reserve(text.size() + n * 28);
    uint32_t steps = 0;
    for (size_t i = 0; i < n; ++i) {
        count_and_check_interrupts(steps);
        if (i > 0) text += ',';
        text += std::to_string(points[i].t);
        text += ':';
        text += format_double(points[i].value);
    }
    return text;
}

void state_from_text(std::string_view text, HwStateHeader &header, std::vector<SeriesPoint> &points) {
    KeyValueText parser(text, "holt_winters_state", STATE_FORM);
    header = HwStateHeader{};
    HwRequest &r = header.request;
    const std::string_view horizon = parser.token("horizon");
    r.horizon = horizon == "none" ? NO_HORIZON : parser.parse<int32_t>(horizon);
    const std::string_view season = parser.token("season_length");
    r.season_length = season == "none" ? 0 : parser.parse<int32_t>(season);
    const std::string_view model = parser.token("model");
    r.model = model == "default" ? 0 : static_cast<int32_t>(parse_model(model));
    r.alpha = parse_optional(parser, parser.token("alpha"), GIVEN_ALPHA, r.given);
    r.beta = parse_optional(parser, parser.token("beta"), GIVEN_BETA, r.given);
    r.gamma = parse_optional(parser, parser.token("gamma"), GIVEN_GAMMA, r.given);
    const std::string_view keys = parser.token("keys");
    if (keys != "date" && keys != "timestamptz") parser.bad_text();
    header.date_keys = keys == "date";
    std::string_view list = parser.token("points");
    parser.finish();
    points.clear();
    if (!list.empty() && list.back() == ',') parser.bad_text();
    uint32_t steps = 0;
    while (!list.empty()) {
        count_and_check_interrupts(steps);
        const size_t comma = std::min(list.find(','), list.size());
        const std::string_view item = list.substr(0, comma);
        const size_t colon = item.find(':');
        if (colon == std::string_view::npos) parser.bad_text();
        points.push_back({parser.parse<int64_t>(item.substr(0, colon)), parser.parse<double>(item.substr(colon + 1))});
        if (points.size() > MAX_SERIES_POINTS) fail_too_many_points();
        list.remove_prefix(comma == list.size() ? comma : comma + 1);
    }
    validate_state_header(header);
}

void validate_state_header(const HwStateHeader &header) {
    const HwRequest &r = header.request;
    if (r.model < 0 || r.model > static_cast<int32_t>(HwModel::Multiplicative) || (r.given & ~7) != 0 ||
        (header.date_keys != 0 && header.date_keys != 1) || header.reserved != 0)
        fail(ErrorKind::InvalidParameter, "invalid holt_winters_state header");
    resolve_request(r);
}

// ---- holt_winters_model ----------------------------------------------------------

std::string model_to_text(const SeriesFit &m) {
    const HwFit &f = m.fit;
    std::string season = "{";
    for (size_t i = 0; i < f.season.size(); ++i) season += (i ? "," : "") + format_double(f.season[i]);
    season += "}";
    return std::string("model=") + model_name(f.model) + " season_length=" + std::to_string(f.season_length) +
           " alpha=" + format_double(f.alpha) + " beta=" + format_double(f.beta) +
           " gamma=" + format_double(f.gamma) + " sse=" + format_double(f.sse) +
           " level=" + format_double(f.level) + " trend=" + format_double(f.trend) + " season=" + season +
           " residual_variance=" + format_double(f.residual_variance) +
           " residuals=" + std::to_string(f.residuals) + " points=" + std::to_string(m.points) +
           " step=" + step_to_text(m.step) + " last=" + civil_to_text(m.last_civil) +
           " last_epoch_us=" + std::to_string(m.last_absolute);
}

SeriesFit model_from_text(std::string_view text) {
    KeyValueText parser(text, "holt_winters_model", MODEL_FORM);
    SeriesFit m{};
    HwFit &f = m.fit;
    f.model = parse_model(parser.token("model"));
    f.season_length = parser.number<int32_t>("season_length");
    f.alpha = parser.number<double>("alpha");
    f.beta = parser.number<double>("beta");
    f.gamma = parser.number<double>("gamma");
    f.sse = parser.number<double>("sse");
    f.level = parser.number<double>("level");
    f.trend = parser.number<double>("trend");
    std::string_view season = parser.token("season");
    if (season.size() < 2 || season.front() != '{' || season.back() != '}') parser.bad_text();
    season = season.substr(1, season.size() - 2);
    if (!season.empty() && season.back() == ',') parser.bad_text();
    while (!season.empty()) {
        const size_t comma = std::min(season.find(','), season.size());
        f.season.push_back(parser.parse<double>(season.substr(0, comma)));
        season.remove_prefix(comma == season.size() ? comma : comma + 1);
    }
    f.residual_variance = parser.number<double>("residual_variance");
    f.residuals = parser.number<int64_t>("residuals");
    m.points = parser.number<int64_t>("points");
    m.step = step_from_text(parser, parser.token("step"));
    m.last_civil = civil_from_text(parser, parser.token("last"));
    m.last_absolute = parser.number<int64_t>("last_epoch_us");
    parser.finish();
    validate_model(m);
    return m;
}

void validate_model(const SeriesFit &m) {
    const HwFit &f = m.fit;
    auto bad = [](const std::string &why) { fail(ErrorKind::InvalidParameter, "invalid holt_winters_model: " + why); };
    const bool seasonal = is_seasonal(f.model);
    if (seasonal ? f.season_length < 2 || f.season.size() != static_cast<size_t>(f.season_length)
                 : f.season_length != 0 || !f.season.empty())
        bad("season_length and season do not match the model");
    for (double p : {f.alpha, f.beta, f.gamma})
        if (!(p >= 0 && p <= 1)) bad("alpha, beta and gamma must be between 0 and 1");
    if ((!has_trend(f.model) && (f.beta != 0 || f.trend != 0)) || (!seasonal && f.gamma != 0))
        bad("a parameter of a component the model does not have is not 0");
    for (double v : f.season)
        if (!std::isfinite(v)) bad("season must be finite");
    if (!std::isfinite(f.level) || !std::isfinite(f.trend) || !(f.sse >= 0 && std::isfinite(f.sse)) ||
        !(f.residual_variance >= 0 && std::isfinite(f.residual_variance)))
        bad("level, trend, sse and residual_variance must be finite (sse and residual_variance >= 0)");
    if (f.residuals < 2 || m.points <= f.residuals || m.step.amount <= 0) bad("counts or step out of range");
    // PostgreSQL's timestamps: 4714-11-24 BC to 294276 AD, in microseconds from 2000.
    constexpr int64_t FIRST_TIME = -211813488000000000LL, END_TIME = 9223371331200000000LL;
    for (int64_t t : {m.last_civil, m.last_absolute})
        if (t < FIRST_TIME || t >= END_TIME) bad("last time out of range");
}

}  // namespace error_budget::core
