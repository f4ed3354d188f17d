-- error_budget: canary verdicts: canary_compare (the Mann-Whitney comparison R's
-- wilcox.test makes), Kayenta's judge (canary_classify, canary_verdict) and
-- canary_gate, which joins a verdict with the deploy gate of the budgets.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

-- ---------------------------------------------------------------------------
-- canary_samples: the state of canary_compare, the values of both groups (8 bytes
-- a value). A real type, so parallel workers and Citus can ship partial states.
-- ---------------------------------------------------------------------------
CREATE TYPE error_budget.canary_samples;
CREATE FUNCTION error_budget.canary_samples_in(cstring) RETURNS error_budget.canary_samples
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION error_budget.canary_samples_out(error_budget.canary_samples) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION error_budget.canary_samples_recv(internal) RETURNS error_budget.canary_samples
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION error_budget.canary_samples_send(error_budget.canary_samples) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE error_budget.canary_samples (
    INTERNALLENGTH = VARIABLE,
    INPUT = error_budget.canary_samples_in,
    OUTPUT = error_budget.canary_samples_out,
    RECEIVE = error_budget.canary_samples_recv,
    SEND = error_budget.canary_samples_send,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE error_budget.canary_samples IS
    'State of canary_compare: the confidence level and the baseline and canary values, 8 bytes a value. Text form: confidence=0.98 baseline={1.5,2} canary={3,4.25}';
COMMENT ON FUNCTION error_budget.canary_samples_in(cstring) IS 'Text input of canary_samples, validated (finite values, confidence in (0, 1))';
COMMENT ON FUNCTION error_budget.canary_samples_out(error_budget.canary_samples) IS 'Text output of canary_samples; values print so that they read back exactly';
COMMENT ON FUNCTION error_budget.canary_samples_recv(internal) IS 'Binary input of canary_samples, validated';
COMMENT ON FUNCTION error_budget.canary_samples_send(error_budget.canary_samples) IS 'Binary output of canary_samples';

CREATE TYPE error_budget.canary_comparison AS (
    baseline_count bigint,
    canary_count bigint,
    statistic double precision,
    p_value double precision,
    estimate double precision,
    lower double precision,
    upper double precision,
    confidence double precision,
    exact boolean,
    mean_ratio double precision
);
COMMENT ON TYPE error_budget.canary_comparison IS
    'What canary_compare measured: both sample sizes, the Wilcoxon-Mann-Whitney statistic W (as R''s wilcox.test(canary, baseline)), the two-sided p-value, the Hodges-Lehmann estimate of the shift canary - baseline and its confidence interval [lower, upper] at level confidence (lowered to the achievable level in the exact case, as R does), exact (exact distribution, or normal approximation with continuity and tie correction) and mean(canary) / mean(baseline) (NULL when the baseline mean is 0)';

CREATE FUNCTION error_budget.canary_compare_add(error_budget.canary_samples, text, double precision)
    RETURNS error_budget.canary_samples AS 'MODULE_PATHNAME', 'canary_compare_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION error_budget.canary_compare_add(error_budget.canary_samples, text, double precision, double precision)
    RETURNS error_budget.canary_samples AS 'MODULE_PATHNAME', 'canary_compare_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION error_budget.canary_samples_combine(error_budget.canary_samples, error_budget.canary_samples)
    RETURNS error_budget.canary_samples AS 'MODULE_PATHNAME', 'canary_samples_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION error_budget.canary_samples_compare(error_budget.canary_samples)
    RETURNS error_budget.canary_comparison AS 'MODULE_PATHNAME', 'canary_samples_compare' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION error_budget.canary_compare_add(error_budget.canary_samples, text, double precision) IS
    'Transition of canary_compare(group, value): keeps the value in its group (''baseline'' or ''canary''); a NULL group or value is skipped';
COMMENT ON FUNCTION error_budget.canary_compare_add(error_budget.canary_samples, text, double precision, double precision) IS
    'Transition of canary_compare(group, value, confidence): the confidence must be the same on every row';
COMMENT ON FUNCTION error_budget.canary_samples_combine(error_budget.canary_samples, error_budget.canary_samples) IS
    'Combine of canary_compare: both partial states'' values (parallel workers, Citus shards)';
COMMENT ON FUNCTION error_budget.canary_samples_compare(error_budget.canary_samples) IS
    'Final of canary_compare: the rank-sum comparison of the values kept (src/core/rank_sum_test.cpp)';

CREATE AGGREGATE error_budget.canary_compare(text, double precision) (
    SFUNC = error_budget.canary_compare_add,
    STYPE = error_budget.canary_samples,
    FINALFUNC = error_budget.canary_samples_compare,
    COMBINEFUNC = error_budget.canary_samples_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE error_budget.canary_compare(text, double precision, double precision) (
    SFUNC = error_budget.canary_compare_add,
    STYPE = error_budget.canary_samples,
    FINALFUNC = error_budget.canary_samples_compare,
    COMBINEFUNC = error_budget.canary_samples_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE error_budget.canary_compare(text, double precision) IS
    'canary_compare(group, value): rows labelled ''baseline'' and ''canary'' compared as R''s wilcox.test(canary, baseline, conf.int = TRUE, conf.level = 0.98) does (Kayenta''s Mann-Whitney classifier): a canary_comparison; NULL without rows, 22000 when a group has no values, 22023 for another label or a non-finite value';
COMMENT ON AGGREGATE error_budget.canary_compare(text, double precision, double precision) IS
    'canary_compare(group, value, confidence): as canary_compare(group, value) at the given confidence level in (0, 1), the same on every row';

-- ---------------------------------------------------------------------------
-- Kayenta's judge: a classification per metric, a weighted score, a verdict.
-- ---------------------------------------------------------------------------
CREATE TYPE error_budget.canary_metric_result AS (
    metric text,
    metric_group text,
    classification text,
    critical boolean,
    reason text,
    estimate double precision,
    lower double precision,
    upper double precision,
    mean_ratio double precision
);
COMMENT ON TYPE error_budget.canary_metric_result IS
    'One metric''s classification by Kayenta''s rules (canary_classify): Pass, High, Low, Nodata or NodataFailMetric, whether it is a critical failure, why, and the comparison it came from';

CREATE FUNCTION error_budget.canary_classify(metric text, comparison error_budget.canary_comparison,
                                             direction text DEFAULT 'either', metric_group text DEFAULT 'default',
                                             critical boolean DEFAULT false, must_have_data boolean DEFAULT false,
                                             allowed_increase double precision DEFAULT 1.0,
                                             allowed_decrease double precision DEFAULT 1.0,
                                             critical_increase double precision DEFAULT 1.0,
                                             critical_decrease double precision DEFAULT 1.0,
                                             tolerance double precision DEFAULT 0.25)
    RETURNS error_budget.canary_metric_result AS 'MODULE_PATHNAME', 'canary_classify' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION error_budget.canary_classify(text, error_budget.canary_comparison, text, text, boolean, boolean,
                                                 double precision, double precision, double precision, double precision,
                                                 double precision) IS
    'Kayenta''s MannWhitneyClassifier for one metric: High when the whole interval lies above +tolerance x |estimate|, the direction (increase, decrease, either) counts increases and mean_ratio >= allowed_increase; Low likewise below; else Pass; a NULL comparison (no data) is Nodata, or NodataFailMetric when must_have_data and not critical; a critical metric High (Low) with mean_ratio >= critical_increase (<= critical_decrease) or unknown is a critical failure';

CREATE TYPE error_budget.canary_verdict AS (
    score double precision,
    classification text,
    reason text
);
COMMENT ON TYPE error_budget.canary_verdict IS
    'A canary''s verdict: the score (0..100), Pass, Marginal or Fail, and why';

CREATE FUNCTION error_budget.canary_score(metrics text[], groups text[], classifications text[], critical boolean[],
                                          reasons text[], weight_groups text[], weights double precision[],
                                          pass_threshold double precision, marginal_threshold double precision)
    RETURNS error_budget.canary_verdict AS 'MODULE_PATHNAME', 'canary_score' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION error_budget.canary_score(text[], text[], text[], boolean[], text[], text[], double precision[],
                                              double precision, double precision) IS
    'The score and verdict of metric classifications given as parallel arrays (src/core/canary_judge.cpp); canary_verdict() is the way to call it';

CREATE FUNCTION error_budget.canary_verdict(results error_budget.canary_metric_result[], group_weights jsonb DEFAULT '{}',
                                            pass_threshold double precision DEFAULT 75,
                                            marginal_threshold double precision DEFAULT 50)
    RETURNS error_budget.canary_verdict LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF group_weights IS NULL OR jsonb_typeof(group_weights) <> 'object'
       OR EXISTS (SELECT FROM jsonb_each(group_weights) AS w WHERE jsonb_typeof(w.value) <> 'number') THEN
        RAISE EXCEPTION 'canary_verdict: group_weights must be a JSON object of numbers, got %', coalesce(group_weights::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'For example {"latency": 60, "errors": 40}.';
    END IF;
    RETURN (SELECT error_budget.canary_score(
                       array_agg(r.metric ORDER BY r.o), array_agg(r.metric_group ORDER BY r.o),
                       array_agg(r.classification ORDER BY r.o), array_agg(r.critical ORDER BY r.o),
                       array_agg(r.reason ORDER BY r.o),
                       ARRAY(SELECT w.key FROM jsonb_each(group_weights) AS w ORDER BY w.key),
                       ARRAY(SELECT (w.value)::text::double precision FROM jsonb_each(group_weights) AS w ORDER BY w.key),
                       pass_threshold, marginal_threshold)
            FROM unnest(results) WITH ORDINALITY AS r(metric, metric_group, classification, critical, reason,
                                                      estimate, lower, upper, mean_ratio, o));
END $$;
COMMENT ON FUNCTION error_budget.canary_verdict(error_budget.canary_metric_result[], jsonb, double precision, double precision) IS
    'Kayenta''s score and verdict of metric classifications: per group 100 x Pass / (Pass + High + Low + NodataFailMetric) (Nodata left out), groups weighted by group_weights ({"group": weight}, the rest of 100 shared by the others), rounded to 2 decimals; 0 on a critical failure or when 50% or more of the metrics had no data; Pass at pass_threshold (75), Marginal at marginal_threshold (50), else Fail';

-- ---------------------------------------------------------------------------
-- canary_gate: promote only when the canary passes and the budgets allow it.
-- ---------------------------------------------------------------------------
CREATE TYPE error_budget.canary_gate_decision AS (
    action text,
    reason text,
    canary error_budget.canary_verdict,
    budgets error_budget.deploy_decision
);
COMMENT ON TYPE error_budget.canary_gate_decision IS
    'What canary_gate decides: action promote, hold or rollback, why, the canary verdict and the deploy gate''s decision';

CREATE FUNCTION error_budget.canary_gate(verdict error_budget.canary_verdict, class text, vertical text DEFAULT NULL,
                                         dimensions jsonb DEFAULT '{}')
    RETURNS error_budget.canary_gate_decision LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    decision error_budget.canary_gate_decision;
BEGIN
    IF verdict IS NULL OR verdict.classification IS NULL OR verdict.classification NOT IN ('Pass', 'Marginal', 'Fail') THEN
        RAISE EXCEPTION 'canary_gate: verdict must be a canary_verdict (Pass, Marginal or Fail), got %', coalesce(verdict::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the result of error_budget.canary_verdict().';
    END IF;
    decision.canary := verdict;
    decision.budgets := error_budget.may_deploy(class, vertical, dimensions);
    IF verdict.classification = 'Fail' THEN
        decision.action := 'rollback';
        decision.reason := 'rollback: the canary failed (' || verdict.reason || ')';
    ELSIF verdict.classification = 'Marginal' THEN
        decision.action := 'hold';
        decision.reason := 'hold: the canary is marginal (' || verdict.reason || ')'
                           || CASE WHEN (decision.budgets).allowed THEN '' ELSE '; and ' || (decision.budgets).reason END;
    ELSIF NOT (decision.budgets).allowed THEN
        decision.action := 'hold';
        decision.reason := 'hold: the canary passed but the budgets do not allow a deploy (' || (decision.budgets).reason || ')';
    ELSE
        decision.action := 'promote';
        decision.reason := 'promote: the canary passed (' || verdict.reason || ') and ' || (decision.budgets).reason;
    END IF;
    RETURN decision;
END $$;
COMMENT ON FUNCTION error_budget.canary_gate(error_budget.canary_verdict, text, text, jsonb) IS
    'Joins a canary verdict with the deploy gate of a deploy class (may_deploy): promote only when the canary passes and the budgets allow a deploy; hold when the canary is marginal or the budgets are blocked; roll back when the canary fails (whatever the budgets say)';
