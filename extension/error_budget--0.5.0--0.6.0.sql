-- error_budget 0.5.0 -> 0.6.0: canary verdicts (canary_compare, Kayenta's judge, canary_gate:
-- the objects of src/sql/canary.sql, appended below); a budget's identity is one to one with its SLO's
-- dimension values (error_budget.budget_scope quotes values that would print alike).
-- Snapshots written before keep their scope text; a budget whose dimension values
-- needed quoting gets its new identity at its next computation.
\echo Use "ALTER EXTENSION error_budget UPDATE TO '0.6.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- A budget's identity: (vertical, name, scope), a one-to-one text form of the SLO's
-- name and dimension values. The flag_budget trigger, budget_current, the latest
-- view and deploy gates key budgets by these three columns.
-- ---------------------------------------------------------------------------
-- One dimension value as written in a scope: bare when it is plain (letters,
-- digits, _ . : / @ + -), NULL for SQL NULL, otherwise double-quoted with " and \
-- escaped, so that no two different values (or value lists) print alike.
CREATE FUNCTION error_budget.scope_value(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN value IS NULL THEN 'NULL'
                WHEN value ~ '^[A-Za-z0-9_.:/@+-]+$' AND upper(value) <> 'NULL' THEN value
                ELSE '"' || replace(replace(value, '\', '\\'), '"', '\"') || '"' END
$$;
COMMENT ON FUNCTION error_budget.scope_value(text) IS
    'A dimension value as written in a budget''s scope: bare when plain (letters, digits, _ . : / @ + -), NULL for SQL NULL, otherwise double-quoted with " and \ escaped';

-- The scope of a budget: its dimension values in the SLO's order, `d=value` joined
-- by spaces; vertical is left out (it has its own column) unless its value is NULL
-- or '*', which the vertical column cannot tell from "no vertical dimension".
CREATE FUNCTION error_budget.budget_scope(dims jsonb, dimensions name[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(string_agg(d || '=' || error_budget.scope_value(dims ->> d), ' ' ORDER BY o), '')
    FROM unnest(dimensions) WITH ORDINALITY AS u(d, o)
    WHERE d <> 'vertical' OR coalesce(dims ->> 'vertical', '*') = '*'
$$;
COMMENT ON FUNCTION error_budget.budget_scope(jsonb, name[]) IS
    'The scope column of a budget: its dimension values other than vertical (in the SLO''s order) as d=value, e.g. tenant=acme region=eu, values quoted as error_budget.scope_value does; one-to-one, so two budgets of an SLO never share an identity';

-- The vertical column of a budget: its vertical dimension, '*' when it has none.
CREATE FUNCTION error_budget.budget_vertical(dims jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(dims ->> 'vertical', '*')
$$;
COMMENT ON FUNCTION error_budget.budget_vertical(jsonb) IS
    'The vertical column of a budget: its vertical dimension value, ''*'' when the SLO has no vertical dimension (or its value is NULL, which the scope then says)';

CREATE OR REPLACE FUNCTION error_budget.compute_budgets(at timestamptz DEFAULT pg_catalog.now(), slos text[] DEFAULT NULL)
    RETURNS SETOF error_budget.error_budgets LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    grp record;
    slo error_budget.slos;
    skipped integer := 0;
    unknown text;
    state text;
    message text;
    detail text;
BEGIN
    IF at IS NULL THEN
        RAISE EXCEPTION 'compute_budgets: at must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT has_function_privilege('error_budget.run_slo_scan(text, bigint[], timestamptz, timestamptz)', 'EXECUTE') THEN
        RAISE EXCEPTION 'permission denied to compute budgets: role % may not run SLO scans', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A superuser or the extension''s owner grants it: SELECT error_budget.grant_access(''<role>'', ''compute'')';
    END IF;
    -- A snapshot of the future would become every budget's latest and hide the real
    -- ones until that time comes.
    IF at > pg_catalog.now() + interval '5 minutes' THEN
        RAISE EXCEPTION 'compute_budgets: at (%) is in the future', at USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Compute for now() or a past time (a backfill).';
    END IF;
    SELECT string_agg(s, ', ') INTO unknown
    FROM unnest(compute_budgets.slos) AS s WHERE NOT EXISTS (SELECT FROM error_budget.slos d WHERE d.name = s);
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'compute_budgets: no SLO named %', unknown USING ERRCODE = 'undefined_object';
    END IF;
    -- One computation at a time: a second one waits here, then finds the snapshots
    -- the first wrote for the same `at` and skips them (the unique index
    -- error_budgets_slo_once_idx guarantees it under any isolation level).
    PERFORM pg_advisory_xact_lock(7233431220150513);

    -- Work tables of this transaction: the SLOs to compute (as read now, with their
    -- row version) and their windows; the aggregates the scans returned; baselines.
    IF to_regclass('pg_temp.error_budget_work') IS NULL THEN
        CREATE TEMP TABLE error_budget_work (
            slo error_budget.slos, version text, window_start timestamptz, window_end timestamptz, period interval)
            ON COMMIT DROP;
        CREATE TEMP TABLE error_budget_pending OF error_budget.scan_totals ON COMMIT DROP;
        CREATE TEMP TABLE error_budget_baselines (slo_id bigint, dims jsonb, baseline double precision) ON COMMIT DROP;
    ELSE
        TRUNCATE pg_temp.error_budget_work, pg_temp.error_budget_pending, pg_temp.error_budget_baselines;
    END IF;
    FOR slo IN SELECT * FROM error_budget.slos s
               WHERE s.enabled AND (compute_budgets.slos IS NULL OR s.name = ANY (compute_budgets.slos)) ORDER BY s.id LOOP
        IF EXISTS (SELECT 1 FROM error_budget.error_budgets b WHERE b.slo_id = slo.id AND b.computed_at = at) THEN
            RAISE NOTICE 'compute_budgets: SLO % already has snapshots at %; skipped', slo.name, at;
            skipped := skipped + 1;
            CONTINUE;
        END IF;
        BEGIN
            INSERT INTO pg_temp.error_budget_work
            SELECT slo, (SELECT s.xmin::text FROM error_budget.slos s WHERE s.id = slo.id), w.window_start, w.window_end, w.period
            FROM error_budget.slo_window(slo, at) AS w;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
            PERFORM error_budget.record_compute_failure(slo, at, state, message, detail);
        END;
    END LOOP;

    -- Occurrences: one grouped scan per (table, time column, window, owner).
    FOR grp IN
        SELECT array_agg((w.slo).id ORDER BY (w.slo).id) AS ids, w.window_start, w.window_end
        FROM pg_temp.error_budget_work w WHERE (w.slo).method = 'Occurrences'
        GROUP BY (w.slo).source, (w.slo).time_column, (w.slo).time_zone, w.window_start, w.window_end, (w.slo).owner ORDER BY 1
    LOOP
        PERFORM error_budget.scan_into_pending('occurrences', grp.ids, grp.window_start, grp.window_end, at);
    END LOOP;
    -- Timeslices and RatioTimeslices: one scan per (table, window, slice, dimensions, owner).
    FOR grp IN
        SELECT array_agg((w.slo).id ORDER BY (w.slo).id) AS ids, w.window_start, w.window_end
        FROM pg_temp.error_budget_work w WHERE (w.slo).method <> 'Occurrences'
        GROUP BY (w.slo).source, (w.slo).time_column, (w.slo).time_zone, w.window_start, w.window_end, (w.slo).slice,
                 (w.slo).dimensions, (w.slo).owner ORDER BY 1
    LOOP
        PERFORM error_budget.scan_into_pending('timeslices', grp.ids, grp.window_start, grp.window_end, at);
    END LOOP;
    -- Cost bands: the baseline of each budget.
    FOR grp IN
        SELECT w.slo, w.window_start FROM pg_temp.error_budget_work w WHERE (w.slo).kind = 'cost_band' ORDER BY (w.slo).id
    LOOP
        BEGIN
            INSERT INTO pg_temp.error_budget_baselines
            SELECT (grp.slo).id, b.dims, b.baseline FROM error_budget.slo_baselines(grp.slo, grp.window_start, at) AS b;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
            PERFORM error_budget.record_compute_failure(grp.slo, at, state, message, detail);
            DELETE FROM pg_temp.error_budget_pending p WHERE p.slo_id = (grp.slo).id;
        END;
    END LOOP;

    -- A budget that had snapshots and has no events in its window now (its data
    -- stopped arriving) gets one with no numbers (status no_data), never a frozen
    -- status: its last dimension values with all totals 0.
    INSERT INTO pg_temp.error_budget_pending (slo_id, dims)
    SELECT DISTINCT (w.slo).id, last.dimensions
    FROM pg_temp.error_budget_work w
    JOIN error_budget.budget_current c
      ON c.source = 'error_budget.error_budgets'::regclass AND c.budget ->> 'name' = (w.slo).name
    CROSS JOIN LATERAL (SELECT b.dimensions FROM error_budget.error_budgets b
                        WHERE b.vertical = c.budget ->> 'vertical' AND b.name = c.budget ->> 'name'
                          AND b.scope = c.budget ->> 'scope' AND b.computed_at < at
                        ORDER BY b.computed_at DESC, b.id DESC LIMIT 1) AS last
    WHERE (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(last.dimensions) AS k)
              IS NOT DISTINCT FROM (SELECT array_agg(d::text ORDER BY d) FROM unnest((w.slo).dimensions) AS d)
      AND NOT EXISTS (SELECT FROM pg_temp.error_budget_pending p WHERE p.slo_id = (w.slo).id AND p.dims = last.dimensions);

    -- Snapshots appended in one statement (the trigger sets their status and logs
    -- transitions) and returned; the numbers come from the C++ core.
    RETURN QUERY
    INSERT INTO error_budget.error_budgets (vertical, name, target, burn, remaining, computed_at, window_start, window_end,
                                            events, bad_events, slo_id, scope, dimensions, kind, method, allowed, consumed,
                                            budget_time, remaining_time, amount, baseline, forgiven_events, forgiven_amount)
    SELECT error_budget.budget_vertical(p.dims), (w.slo).name, (w.slo).target, n.burn, n.remaining,
           at, w.window_start, at, n.events, n.bad_events, (w.slo).id, error_budget.budget_scope(p.dims, (w.slo).dimensions),
           p.dims, (w.slo).kind, (w.slo).method, n.allowed, n.consumed, n.budget_time, n.remaining_time,
           p.amount, b.baseline, p.forgiven_events, p.forgiven_amount
    FROM pg_temp.error_budget_pending p
    JOIN pg_temp.error_budget_work w ON (w.slo).id = p.slo_id
    LEFT JOIN pg_temp.error_budget_baselines b ON b.slo_id = p.slo_id AND b.dims = p.dims
    CROSS JOIN LATERAL error_budget.snapshot_numbers(w.slo, p, b.baseline, at - w.window_start, w.period) AS n
    ORDER BY (w.slo).name, 1, 12
    RETURNING *;
    IF skipped > 0 THEN
        RAISE NOTICE 'compute_budgets: % SLO(s) skipped: they already have snapshots at %', skipped, at;
    END IF;
END $$;
COMMENT ON FUNCTION error_budget.compute_budgets(timestamptz, text[]) IS
    'Computes every enabled SLO (or only those named in slos) for every dimension combination over its window ending at `at` (default now(); a past time backfills); a budget whose data stopped arriving gets a no_data snapshot; appends the snapshots to error_budget.error_budgets (the trigger sets their status) and returns them. Each SLO''s expressions run with its owner''s rights in a security-restricted operation (one grouped scan per table, window and owner); the snapshots are written with the caller''s rights. An SLO that fails is recorded in error_budget.compute_failures (and a WARNING) and the others are computed; concurrent runs for the same `at` never write a snapshot twice';

COMMENT ON COLUMN error_budget.error_budgets.scope IS 'The dimension values other than vertical, as text (tenant=acme region="eu west"; see error_budget.budget_scope); part of the budget''s identity with vertical and name';

-- ======== canary verdicts (src/sql/canary.sql) ========
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
    RETURN error_budget.canary_score(
        ARRAY(SELECT r.metric FROM unnest(results) WITH ORDINALITY AS r(metric, metric_group, classification, critical, reason, estimate, lower, upper, mean_ratio, o) ORDER BY o),
        ARRAY(SELECT r.metric_group FROM unnest(results) WITH ORDINALITY AS r(metric, metric_group, classification, critical, reason, estimate, lower, upper, mean_ratio, o) ORDER BY o),
        ARRAY(SELECT r.classification FROM unnest(results) WITH ORDINALITY AS r(metric, metric_group, classification, critical, reason, estimate, lower, upper, mean_ratio, o) ORDER BY o),
        ARRAY(SELECT r.critical FROM unnest(results) WITH ORDINALITY AS r(metric, metric_group, classification, critical, reason, estimate, lower, upper, mean_ratio, o) ORDER BY o),
        ARRAY(SELECT r.reason FROM unnest(results) WITH ORDINALITY AS r(metric, metric_group, classification, critical, reason, estimate, lower, upper, mean_ratio, o) ORDER BY o),
        ARRAY(SELECT w.key FROM jsonb_each(group_weights) AS w ORDER BY w.key),
        ARRAY(SELECT (w.value)::text::double precision FROM jsonb_each(group_weights) AS w ORDER BY w.key),
        pass_threshold, marginal_threshold);
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
