-- error_budget 0.5.0 -> 0.6.0: canary verdicts (canary_compare, Kayenta's judge, canary_gate:
-- the objects of src/sql/canary.sql, appended below); budget_remaining_interval (sampled quality,
-- the last section of src/sql/aggregates.sql, appended below); time to exhaustion (src/sql/exhaustion.sql
-- and the daily scan: occurrences_scan_query gains a bucket, appended below); OpenSLO import/export
-- (src/sql/openslo.sql and the column slos.openslo, appended below); a budget's identity is one to one with its SLO's
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

-- ======== budget_remaining_interval (the last section of src/sql/aggregates.sql) ========
-- ---------------------------------------------------------------------------
-- budget_remaining_interval(): budget_remaining() of a sampled quality SLI with the
-- Wilson score interval of its good ratio (R's prop.test(..., correct = FALSE)).
-- The state is a float8[4] {slo, confidence, good, bad}.
-- ---------------------------------------------------------------------------
CREATE TYPE @extschema@.budget_interval AS (
    remaining double precision,
    lower double precision,
    upper double precision,
    confidence double precision,
    good bigint,
    events bigint
);
COMMENT ON TYPE @extschema@.budget_interval IS
    'What budget_remaining_interval returns: the budget remaining (as budget_remaining), the bounds of its confidence interval (the Wilson score interval of the good ratio through the same formula), the confidence level, good events and events';

CREATE FUNCTION @extschema@.budget_interval_add(double precision[], boolean, double precision)
    RETURNS double precision[] AS 'MODULE_PATHNAME', 'budget_interval_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_interval_add(double precision[], boolean, double precision, double precision)
    RETURNS double precision[] AS 'MODULE_PATHNAME', 'budget_interval_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_interval_combine(double precision[], double precision[])
    RETURNS double precision[] AS 'MODULE_PATHNAME', 'budget_interval_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.budget_interval_final(double precision[])
    RETURNS @extschema@.budget_interval AS 'MODULE_PATHNAME', 'budget_interval_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.budget_interval_add(double precision[], boolean, double precision) IS
    'Transition of budget_remaining_interval(good, slo): counts one good or bad event at confidence 0.95 (NULL good is skipped; slo in (0,1), the same on every row)';
COMMENT ON FUNCTION @extschema@.budget_interval_add(double precision[], boolean, double precision, double precision) IS
    'Transition of budget_remaining_interval(good, slo, confidence): confidence in (0,1), the same on every row';
COMMENT ON FUNCTION @extschema@.budget_interval_combine(double precision[], double precision[]) IS
    'Combine of budget_remaining_interval: adds two partial counts (parallel workers, Citus shards)';
COMMENT ON FUNCTION @extschema@.budget_interval_final(double precision[]) IS
    'Final of budget_remaining_interval: the remaining budget and its Wilson interval (src/core/wilson_interval.cpp); NULL without events';

CREATE AGGREGATE @extschema@.budget_remaining_interval(good boolean, slo double precision) (
    SFUNC = @extschema@.budget_interval_add,
    STYPE = double precision[],
    FINALFUNC = @extschema@.budget_interval_final,
    COMBINEFUNC = @extschema@.budget_interval_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.budget_remaining_interval(good boolean, slo double precision, confidence double precision) (
    SFUNC = @extschema@.budget_interval_add,
    STYPE = double precision[],
    FINALFUNC = @extschema@.budget_interval_final,
    COMBINEFUNC = @extschema@.budget_interval_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.budget_remaining_interval(boolean, double precision) IS
    'Error budget remaining of a sampled ratio SLO with its 95% confidence interval: the Wilson score interval of good / all (R''s prop.test(good, all, correct = FALSE)) mapped through ((ratio - slo) / (1 - slo)); NULL good is skipped; no events gives NULL';
COMMENT ON AGGREGATE @extschema@.budget_remaining_interval(boolean, double precision, double precision) IS
    'budget_remaining_interval(good, slo, confidence): the same at a confidence level in (0, 1), the same on every row';

-- ======== the daily scan (occurrences_scan_query gains a bucket) ========
DROP FUNCTION error_budget.occurrences_scan_query(error_budget.slos[], timestamptz, timestamptz, boolean);
CREATE FUNCTION error_budget.occurrences_scan_query(members error_budget.slos[], window_start timestamptz, window_end timestamptz,
                                                    per_minute boolean DEFAULT false, bucket text DEFAULT 'minute')
    RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET extra_float_digits = 3 AS $$
DECLARE
    timestamptz_column boolean := error_budget.slo_column_type(members[1].source, members[1].time_column) = 'pg_catalog.timestamptz'::pg_catalog.regtype;
    -- Rollups (per_minute): every grouping also by the minute of the time column, or
    -- by its day (bucket 'day', for daily burns), in the SLO's time zone for
    -- timestamp and date columns and for days; returned as the last column.
    minute_of text := CASE WHEN NOT per_minute THEN NULL
                           WHEN bucket = 'day' AND timestamptz_column
                           THEN format('pg_catalog.date_trunc(''day'', %I, %L)', members[1].time_column, members[1].time_zone)
                           WHEN bucket = 'day'
                           THEN format('(pg_catalog.date_trunc(''day'', %I::pg_catalog.timestamp) AT TIME ZONE %L)',
                                       members[1].time_column, members[1].time_zone)
                           WHEN timestamptz_column
                           THEN format('pg_catalog.date_bin(''00:01:00''::pg_catalog.interval, %I, ''2000-01-01 00:00:00+00''::pg_catalog.timestamptz)',
                                       members[1].time_column)
                           ELSE format('(pg_catalog.date_bin(''00:01:00''::pg_catalog.interval, %I::pg_catalog.timestamp, ''2000-01-01 00:00:00''::pg_catalog.timestamp) AT TIME ZONE %L)',
                                       members[1].time_column, members[1].time_zone) END;
    slo error_budget.slos;
    aggregates text[] := '{}';
    rows text[] := '{}';
    names text[];
    dims_all name[];
    sets text;
    mask integer;
    k integer := 0;
    scan text;
BEGIN
    -- Per dimension set: one plain scan each, their rows appended.
    IF (SELECT count(DISTINCT (SELECT array_agg(d ORDER BY d) FROM unnest((m).dimensions) AS d)) FROM unnest(members) AS m) > 1
       AND error_budget.scans_per_dimension_set(members[1].source) THEN
        RETURN (SELECT string_agg(error_budget.occurrences_scan_query(set_members, window_start, window_end, per_minute, bucket), ' UNION ALL ' ORDER BY first_id)
                FROM (SELECT array_agg(m ORDER BY (m).id) AS set_members, min((m).id) AS first_id
                      FROM unnest(members) AS m
                      GROUP BY (SELECT array_agg(d ORDER BY d) FROM unnest((m).dimensions) AS d)) AS per_set);
    END IF;
    SELECT coalesce(array_agg(d ORDER BY d), '{}') INTO dims_all
    FROM (SELECT DISTINCT unnest((m).dimensions) AS d FROM unnest(members) AS m) AS u;
    FOREACH slo IN ARRAY members LOOP
        k := k + 1;
        -- GROUPING(...) bit i (from the left) is 1 when dimension i is not grouped.
        SELECT coalesce(sum(1 << (cardinality(dims_all) - o::int)) FILTER (WHERE NOT d = ANY (slo.dimensions)), 0)
        INTO mask FROM unnest(dims_all) WITH ORDINALITY AS u(d, o);
        SELECT array_agg(t.total), aggregates || array_agg(format('%s AS %I', t.expression, t.total || '_' || k))
        INTO names, aggregates
        FROM error_budget.slo_totals(slo, error_budget.slo_planned_predicate(slo, window_start, window_end)) AS t;
        rows := rows || error_budget.scan_totals_row(
            slo.id, CASE WHEN (SELECT coalesce(array_agg(d ORDER BY d), '{}') FROM unnest(slo.dimensions) AS d) = dims_all
                         THEN 'r.dims'  -- all of the scan's dimensions: nothing to take out
                         ELSE format('(SELECT coalesce(pg_catalog.jsonb_object_agg(key, value), ''{}'') FROM pg_catalog.jsonb_each(r.dims) WHERE key = ANY (%L::text[]))',
                                     slo.dimensions) END,
            k, names, format(', NULL::pg_catalog.float8[], %s', mask));
    END LOOP;
    -- The grouping sets, each with the minute for rollups: (d1, d2[, minute]).
    SELECT string_agg(DISTINCT '(' || (SELECT concat_ws(', ', string_agg(format('%I', d), ', ' ORDER BY d), minute_of)
                                       FROM unnest((m).dimensions) AS d) || ')', ', ')
    INTO sets FROM unnest(members) AS m;
    scan := format('SELECT %s AS grouping_mask, %s AS dims, %s%s FROM %s WHERE %I >= %s AND %I < %s%s',
                   -- one dimension set: no GROUPING() (every mask is 0), as Citus requires
                   CASE WHEN cardinality(dims_all) = 0 OR sets NOT LIKE '%), (%' THEN '0'
                        ELSE 'GROUPING(' || (SELECT string_agg(format('%I', d), ', ') FROM unnest(dims_all) AS d) || ')' END,
                   error_budget.dimensions_json(dims_all), coalesce(minute_of || ' AS minute, ', ''),
                   array_to_string(aggregates, ', '), members[1].source,
                   members[1].time_column, error_budget.slo_time_bound(members[1], '$1'),
                   members[1].time_column, error_budget.slo_time_bound(members[1], '$2'),
                   CASE WHEN cardinality(dims_all) = 0 AND NOT per_minute THEN ''
                        -- one set: a plain GROUP BY, which the planner can hash
                        WHEN sets NOT LIKE '%), (%' THEN ' GROUP BY ' || sets
                        ELSE ' GROUP BY GROUPING SETS (' || sets || ')' END);
    RETURN format('SELECT %s%s FROM (%s) AS r CROSS JOIN LATERAL (VALUES %s) AS m(%s, grouping_mask) WHERE m.grouping_mask = r.grouping_mask',
                  (SELECT string_agg('m.' || c, ', ') FROM unnest(string_to_array(error_budget.scan_totals_columns(), ', ')) AS c),
                  CASE WHEN per_minute THEN ', r.minute' ELSE '' END,
                  scan, array_to_string(rows, ', '), error_budget.scan_totals_columns());
END $$;
COMMENT ON FUNCTION error_budget.occurrences_scan_query(error_budget.slos[], timestamptz, timestamptz, boolean, text) IS
    'SQL of the grouped scan of the Occurrences SLOs that share a table, time column, window and owner ($1, $2: the window); rows of error_budget.scan_totals, per minute or per day (bucket; a last column minute) for rollups and daily burns';

CREATE OR REPLACE FUNCTION error_budget.slo_scan_query(scan text, slo_ids bigint[], window_start timestamptz, window_end timestamptz)
    RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    members error_budget.slos[] := ARRAY(SELECT s FROM error_budget.slos s WHERE s.id = ANY (slo_ids) ORDER BY s.id);
    slo error_budget.slos;
BEGIN
    IF cardinality(members) = 0 THEN
        RAISE EXCEPTION 'no SLO with id in %', slo_ids USING ERRCODE = 'undefined_object';
    END IF;
    -- A dropped table would print as its OID: say so instead.
    FOREACH slo IN ARRAY members LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_class WHERE oid = slo.source) THEN
            RAISE EXCEPTION 'the source table of SLO % (OID %) no longer exists', slo.name, slo.source::oid
                USING ERRCODE = 'undefined_table', HINT = 'Drop the SLO or point it at another table.';
        END IF;
    END LOOP;
    IF (SELECT count(DISTINCT (m).source) FROM unnest(members) AS m) > 1 THEN
        RAISE EXCEPTION 'the SLOs of one scan must share their source' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN CASE scan
        WHEN 'occurrences' THEN error_budget.occurrences_scan_query(members, window_start, window_end)
        WHEN 'timeslices' THEN error_budget.timeslices_scan_query(members, window_start, window_end)
        WHEN 'baseline' THEN error_budget.baseline_scan_query(members[1], window_start, window_end)
        WHEN 'rollup' THEN error_budget.occurrences_scan_query(members, window_start, window_end, true)
        WHEN 'daily' THEN error_budget.occurrences_scan_query(members, window_start, window_end, true, 'day') END;
END $$;
COMMENT ON FUNCTION error_budget.slo_scan_query(text, bigint[], timestamptz, timestamptz) IS
    'SQL of one budget scan (occurrences, timeslices, baseline, rollup: occurrences per minute, or daily: occurrences per day) of the given SLOs, built from their stored canonical definitions';

COMMENT ON FUNCTION error_budget.run_rollup_scan(text, bigint[], timestamptz, timestamptz) IS
    'run_slo_scan for rollups (scan = ''rollup'': the Occurrences scan grouped by minute too; ''daily'': by day, for daily burns), run with the SLOs'' owner''s rights in a security-restricted operation; rows of error_budget.rollup_totals';

-- ======== time to exhaustion (src/sql/exhaustion.sql) ========
-- error_budget: time to exhaustion: each day's burn of a budget (a daily scan with
-- its owner's rights), a Holt-Winters forecast of it, and the time the remaining
-- budget would be spent at that burn, with an interval (src/core/exhaustion.cpp).
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

CREATE TYPE error_budget.exhaustion_forecast AS (
    status text,
    days double precision,
    earliest_days double precision,
    latest_days double precision,
    mean_burn double precision
);
COMMENT ON TYPE error_budget.exhaustion_forecast IS
    'When a budget runs out at forecast daily burns: status (exhausted, exhausts, not_within_horizon) and the days until then, earliest and latest (NULL: not within the horizon), and the mean forecast daily burn (negative burns as 0)';

CREATE FUNCTION error_budget.exhaustion_forecast(remaining double precision, period interval, forecast double precision[],
                                                 lower double precision[] DEFAULT NULL, upper double precision[] DEFAULT NULL)
    RETURNS error_budget.exhaustion_forecast AS 'MODULE_PATHNAME', 'exhaustion_forecast' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION error_budget.exhaustion_forecast(double precision, interval, double precision[], double precision[], double precision[]) IS
    'The days until the remaining fraction of a budget is spent at the given daily burns (day k spends burn_k / period-in-days of the budget, linearly within a day; negative burns spend nothing; a constant burn b gives exactly remaining x period / b), and the same with the lower and upper burns (latest and earliest); src/core/exhaustion.cpp';

-- Each day's burn of one budget (an SLO and its dimension values) over whole days
-- in the SLO's time zone, from the daily scan of its table run with its owner's
-- rights; a day without rows burns 0.
CREATE FUNCTION error_budget.daily_burns(slo text, dimensions jsonb, first_day date, last_day date)
    RETURNS TABLE (day date, burn double precision, events double precision)
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s error_budget.slos;
BEGIN
    SELECT * INTO s FROM error_budget.slos x WHERE x.name = daily_burns.slo;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'daily_burns: no SLO named %', coalesce(slo, 'NULL') USING ERRCODE = 'undefined_object';
    END IF;
    IF s.kind NOT IN ('ratio', 'count', 'amount_cap') OR s.method <> 'Occurrences' THEN
        RAISE EXCEPTION 'daily_burns: SLO % is a % % SLO; daily burns are computed for Occurrences ratio, count and amount_cap SLOs',
            s.name, s.method, s.kind USING ERRCODE = 'feature_not_supported';
    END IF;
    IF first_day IS NULL OR last_day IS NULL OR first_day > last_day THEN
        RAISE EXCEPTION 'daily_burns: first_day must not be after last_day, got % and %', first_day, last_day
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    WITH scanned AS (
        SELECT (r.minute AT TIME ZONE s.time_zone)::date AS d, r AS totals
        FROM error_budget.run_rollup_scan('daily', ARRAY[s.id], first_day::timestamp AT TIME ZONE s.time_zone,
                                          (last_day + 1)::timestamp AT TIME ZONE s.time_zone) AS r
        WHERE r.dims = coalesce(daily_burns.dimensions, '{}'))
    SELECT g.d::date, coalesce((w.b).burn, 0), coalesce((w.b).events, 0)
    FROM generate_series(first_day, last_day, interval '1 day') AS g(d)
    LEFT JOIN scanned x ON x.d = g.d::date
    CROSS JOIN LATERAL (SELECT CASE WHEN x.d IS NOT NULL  -- (a row IS NOT NULL only when all its fields are)
                                    THEN error_budget.window_burn(s, x.totals, interval '1 day',
                                                                  (error_budget.slo_window(s, g.d::timestamp AT TIME ZONE s.time_zone)).period)
                               END AS b) AS w
    ORDER BY 1;
END $$;
COMMENT ON FUNCTION error_budget.daily_burns(text, jsonb, date, date) IS
    'Each day''s burn of one budget (SLO name and dimension values) from first_day to last_day (days in the SLO''s time zone): the burn of that day''s rows as window_burn computes it (1 spends the budget over the period), 0 for a day without rows; read with the SLO owner''s rights';

CREATE TYPE error_budget.budget_exhaustion AS (
    slo text,
    dimensions jsonb,
    status text,
    remaining double precision,
    computed_at timestamptz,
    exhausts_at timestamptz,
    earliest timestamptz,
    latest timestamptz,
    forecast_burn double precision,
    model text,
    history_days integer
);
COMMENT ON TYPE error_budget.budget_exhaustion IS
    'When a budget would be spent: status (exhausted, exhausts, not_within_horizon, no_data), the latest remaining and when it was computed, the time at the forecast burn with its interval (earliest, latest; NULL beyond the horizon), the mean forecast daily burn, the model used and the days of history it was fitted to';

CREATE FUNCTION error_budget.budget_exhaustion(slo text, dimensions jsonb DEFAULT '{}', horizon integer DEFAULT 30,
                                               level double precision DEFAULT 0.95, history integer DEFAULT 28)
    RETURNS error_budget.budget_exhaustion LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    s error_budget.slos;
    latest record;
    result error_budget.budget_exhaustion;
    today date;
    first_day date;
    n integer;
    days date[];
    burns double precision[];
    model @extschema@.holt_winters_model;
    forecast double precision[];
    lower double precision[];
    upper double precision[];
    e error_budget.exhaustion_forecast;
BEGIN
    IF horizon IS NULL OR horizon < 1 OR horizon > 3660 THEN
        RAISE EXCEPTION 'budget_exhaustion: horizon must be 1 to 3660 days, got %', coalesce(horizon::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF history IS NULL OR history < 1 OR history > 3660 THEN
        RAISE EXCEPTION 'budget_exhaustion: history must be 1 to 3660 days, got %', coalesce(history::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF level IS NULL OR NOT (level > 0 AND level < 1) THEN
        RAISE EXCEPTION 'budget_exhaustion: level must be in (0, 1), got %', coalesce(level::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO s FROM error_budget.slos x WHERE x.name = budget_exhaustion.slo;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'budget_exhaustion: no SLO named %', coalesce(slo, 'NULL') USING ERRCODE = 'undefined_object',
            HINT = 'The SLOs: ' || coalesce((SELECT string_agg(name, ', ' ORDER BY name) FROM error_budget.slos), 'none') || '.';
    END IF;
    result.slo := s.name;
    result.dimensions := coalesce(dimensions, '{}');
    SELECT l.remaining, l.computed_at INTO latest
    FROM error_budget.error_budget_latest l WHERE l.slo_id = s.id AND l.dimensions = result.dimensions;
    IF latest.computed_at IS NULL OR latest.remaining IS NULL THEN
        result.status := 'no_data';
        result.computed_at := latest.computed_at;
        RETURN result;
    END IF;
    result.remaining := latest.remaining;
    result.computed_at := latest.computed_at;
    IF latest.remaining <= 0 THEN
        result.status := 'exhausted';
        RETURN result;
    END IF;

    -- The whole days before the snapshot, in the SLO's time zone, from the first
    -- day with events: the series the model is fitted to.
    today := (latest.computed_at AT TIME ZONE s.time_zone)::date;
    SELECT array_agg(d.day ORDER BY d.day), array_agg(d.burn ORDER BY d.day), min(d.day) FILTER (WHERE d.events > 0)
    INTO days, burns, first_day
    FROM error_budget.daily_burns(s.name, result.dimensions, today - history, today - 1) AS d;
    n := CASE WHEN first_day IS NULL THEN 0 ELSE today - first_day END;
    result.history_days := n;
    IF n = 0 THEN
        result.status := 'no_data';
        RETURN result;
    END IF;
    -- Weekly season with two weeks or more; a trend with one week; a level with
    -- three days; the mean burn with fewer.
    result.model := CASE WHEN n >= 14 THEN 'additive' WHEN n >= 7 THEN 'linear' WHEN n >= 3 THEN 'simple' ELSE 'mean' END;
    IF result.model = 'mean' THEN
        SELECT array_agg(m.x) INTO forecast
        FROM (SELECT avg(d.burn) AS x FROM unnest(days, burns) AS d(day, burn) WHERE d.day >= first_day) AS m,
             generate_series(1, horizon);
    ELSE
        SELECT @extschema@.holt_winters_fit(d.day, d.burn, CASE WHEN result.model = 'additive' THEN 7 END, result.model) INTO model
        FROM unnest(days, burns) AS d(day, burn) WHERE d.day >= first_day;
        SELECT array_agg(p.forecast ORDER BY p.step), array_agg(p.lower ORDER BY p.step), array_agg(p.upper ORDER BY p.step)
        INTO forecast, lower, upper
        FROM @extschema@.holt_winters_predict(model, horizon, level) AS p;
    END IF;
    e := error_budget.exhaustion_forecast(latest.remaining, (error_budget.slo_window(s, latest.computed_at)).period, forecast, lower, upper);
    result.status := e.status;
    result.forecast_burn := e.mean_burn;
    result.exhausts_at := latest.computed_at + e.days * interval '1 day';
    result.earliest := latest.computed_at + e.earliest_days * interval '1 day';
    result.latest := latest.computed_at + e.latest_days * interval '1 day';
    RETURN result;
END $$;
COMMENT ON FUNCTION error_budget.budget_exhaustion(text, jsonb, integer, double precision, integer) IS
    'When one budget (SLO name and dimension values) would be spent: its daily burns over the last `history` whole days (from its first day with events) are forecast `horizon` days ahead with Holt-Winters (weekly additive season with 14 days or more, a trend with 7 to 13, a level with 3 to 6, the mean burn with fewer), and the latest remaining is spent at that forecast (error_budget.exhaustion_forecast; a constant burn b gives exactly remaining x period / b), the interval from the forecast''s prediction interval at `level`. No credit is given for days that leave a rolling window: the date is conservative';

-- ======== OpenSLO (src/sql/openslo.sql and the column slos.openslo) ========
ALTER TABLE error_budget.slos ADD COLUMN openslo jsonb;
COMMENT ON COLUMN error_budget.slos.openslo IS
    'Set by import_openslo: the OpenSLO document the SLO was defined from and the definition it gave; export_openslo returns that document while the definition is unchanged';

-- error_budget: OpenSLO v1: import_openslo() defines SLOs from OpenSLO documents
-- (as jsonb: YAML users convert with any tool), export_openslo() writes one back.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).
--
-- The SLI convention (OpenSLO leaves data sources open): a ratioMetric whose
-- metricSource type is "PostgreSQL"; total.metricSource.spec names the table (one
-- row per event) and, optionally, timeColumn, filter, dimensions, weight, timeZone
-- and minEvents; good.metricSource.spec.condition is the boolean SQL of a good row:
--   "ratioMetric": {"counter": false,
--     "good":  {"metricSource": {"type": "PostgreSQL", "spec": {"condition": "ok"}}},
--     "total": {"metricSource": {"type": "PostgreSQL", "spec": {"table": "public.calls", "dimensions": ["vertical"]}}}}

-- Refuses fields outside `allowed` at `path`, naming the first one.
CREATE FUNCTION error_budget.openslo_fields(object jsonb, path text, allowed text[], required text[] DEFAULT '{}')
    RETURNS jsonb LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    field text;
BEGIN
    IF object IS NULL OR jsonb_typeof(object) <> 'object' THEN
        RAISE EXCEPTION 'import_openslo: % must be an object', path USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT k INTO field FROM jsonb_object_keys(object) AS k WHERE NOT k = ANY (allowed) ORDER BY k LIMIT 1;
    IF field IS NOT NULL THEN
        RAISE EXCEPTION 'import_openslo: unsupported field %.%', path, field USING ERRCODE = 'feature_not_supported',
            HINT = 'Supported here: ' || array_to_string(allowed, ', ') || '.';
    END IF;
    SELECT r INTO field FROM unnest(required) AS r WHERE NOT object ? r LIMIT 1;
    IF field IS NOT NULL THEN
        RAISE EXCEPTION 'import_openslo: missing field %.%', path, field USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN object;
END $$;
COMMENT ON FUNCTION error_budget.openslo_fields(jsonb, text, text[], text[]) IS
    'import_openslo''s field check: the object at path has only allowed fields (0A000 naming the first other one) and every required one (22023)';

-- An OpenSLO duration ("30d", "1w", "12h", "90m", "1M", "1Q") as an interval.
CREATE FUNCTION error_budget.openslo_duration(duration text, path text) RETURNS interval
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    parts text[] := regexp_match(coalesce(duration, ''), '^([1-9][0-9]{0,5})([smhdwMQY])$');
BEGIN
    IF parts IS NULL THEN
        RAISE EXCEPTION 'import_openslo: % must be an OpenSLO duration such as 30d, 1w, 12h or 1M, got %', path, coalesce(duration, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN parts[1]::int * CASE parts[2] WHEN 's' THEN interval '1 second' WHEN 'm' THEN interval '1 minute'
                                         WHEN 'h' THEN interval '1 hour' WHEN 'd' THEN interval '1 day'
                                         WHEN 'w' THEN interval '7 days' WHEN 'M' THEN interval '1 month'
                                         WHEN 'Q' THEN interval '3 months' ELSE interval '1 year' END;
END $$;
COMMENT ON FUNCTION error_budget.openslo_duration(text, text) IS
    'An OpenSLO duration (a count and one of s, m, h, d, w, M, Q, Y) as an interval; 22023 naming the field otherwise';

-- An interval as an OpenSLO duration, in the largest unit that divides it (d, h, m, s).
CREATE FUNCTION error_budget.openslo_duration_text(duration interval) RETURNS text
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN seconds % 86400 = 0 THEN (seconds / 86400) || 'd' WHEN seconds % 3600 = 0 THEN (seconds / 3600) || 'h'
                WHEN seconds % 60 = 0 THEN (seconds / 60) || 'm' ELSE seconds || 's' END
    FROM (SELECT extract(epoch FROM duration)::bigint AS seconds) AS e
$$;
COMMENT ON FUNCTION error_budget.openslo_duration_text(interval) IS
    'An interval as an OpenSLO duration in the largest unit that divides it: 7d, 36h, 5m, 90s';

-- The catalog columns an OpenSLO document defines: a definition changed since its
-- import is exported from the catalog, not from the kept document.
CREATE FUNCTION error_budget.openslo_definition(slo error_budget.slos) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT to_jsonb(slo) - ARRAY['id', 'enabled', 'created_at', 'owner', 'openslo']
$$;
COMMENT ON FUNCTION error_budget.openslo_definition(error_budget.slos) IS
    'The definition of an SLO as import_openslo records it (every column but id, enabled, created_at, owner and openslo)';

-- The tables the documents name, resolved on the caller's search_path (as a regclass
-- argument of define_slo would be): {"name as written": oid}.
CREATE FUNCTION error_budget.openslo_tables(document jsonb) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(pg_catalog.jsonb_object_agg(t, pg_catalog.to_regclass(t)::pg_catalog.oid), '{}')
    FROM (SELECT DISTINCT t FROM pg_catalog.jsonb_path_query(document, 'strict $.**.total.metricSource.spec.table') AS j,
                 LATERAL (SELECT j #>> '{}' AS t) AS x WHERE pg_catalog.jsonb_typeof(j) = 'string') AS n
$$;
COMMENT ON FUNCTION error_budget.openslo_tables(jsonb) IS
    'The source tables an OpenSLO document names, resolved on the caller''s search_path (no search_path of its own, on purpose): {"name": oid or null}';

CREATE FUNCTION error_budget.import_openslo(document jsonb, replace boolean DEFAULT false)
    RETURNS SETOF error_budget.slos LANGUAGE sql AS $$
    SELECT * FROM error_budget.import_openslo_resolved(document, replace, error_budget.openslo_tables(document))
$$;
COMMENT ON FUNCTION error_budget.import_openslo(jsonb, boolean) IS
    'Defines SLOs (with define_slo, as the caller) from an OpenSLO v1 SLO document, or an array of SLO and SLI documents (indicatorRef names an SLI among them): a ratioMetric over a PostgreSQL table (named as the caller''s search_path finds it; see the README for the metricSource convention), one rolling or calendar (1w, 1M, 1Q) timeWindow, budgetingMethod Occurrences, Timeslices or RatioTimeslices, one objective (target, timeSliceTarget, timeSliceWindow). Any other field is 0A000 naming it. replace => true redefines existing SLOs. The document is kept for export_openslo';

CREATE FUNCTION error_budget.import_openslo_resolved(document jsonb, replace boolean, tables jsonb)
    RETURNS SETOF error_budget.slos LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    docs jsonb := CASE WHEN jsonb_typeof(document) = 'array' THEN document ELSE jsonb_build_array(document) END;
    doc jsonb;
    spec jsonb;
    sli jsonb;
    ratio jsonb;
    total jsonb;
    good jsonb;
    time_window jsonb;
    objective jsonb;
    rolling boolean;
    duration interval;
    zone text;
    calendar_unit text;
    defined error_budget.slos;
    n integer := 0;
BEGIN
    IF document IS NULL OR jsonb_typeof(document) NOT IN ('object', 'array') THEN
        RAISE EXCEPTION 'import_openslo: the document must be an OpenSLO object or an array of them' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR doc IN SELECT d FROM jsonb_array_elements(docs) AS d LOOP
        PERFORM error_budget.openslo_fields(doc, 'document', '{apiVersion,kind,metadata,spec}', '{apiVersion,kind,metadata,spec}');
        IF doc ->> 'apiVersion' IS DISTINCT FROM 'openslo/v1' THEN
            RAISE EXCEPTION 'import_openslo: apiVersion must be openslo/v1, got %', doc -> 'apiVersion' USING ERRCODE = 'feature_not_supported';
        END IF;
        IF doc ->> 'kind' = 'SLI' THEN
            CONTINUE;  -- read when an SLO refers to it
        ELSIF doc ->> 'kind' IS DISTINCT FROM 'SLO' THEN
            RAISE EXCEPTION 'import_openslo: kind must be SLO or SLI, got %', doc -> 'kind' USING ERRCODE = 'feature_not_supported';
        END IF;
        PERFORM error_budget.openslo_fields(doc -> 'metadata', 'metadata', '{name,displayName,labels,annotations}', '{name}');
        spec := error_budget.openslo_fields(doc -> 'spec', 'spec',
                    '{description,service,indicator,indicatorRef,timeWindow,budgetingMethod,objectives}',
                    '{timeWindow,budgetingMethod,objectives}');
        -- The SLI: inline, or a document of the same call named by indicatorRef.
        IF (spec ? 'indicator') = (spec ? 'indicatorRef') THEN
            RAISE EXCEPTION 'import_openslo: spec needs exactly one of indicator and indicatorRef' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF spec ? 'indicator' THEN
            sli := spec -> 'indicator';
            PERFORM error_budget.openslo_fields(sli, 'spec.indicator', '{metadata,spec}', '{spec}');
        ELSE
            SELECT d INTO sli FROM jsonb_array_elements(docs) AS d
            WHERE d ->> 'kind' = 'SLI' AND d -> 'metadata' ->> 'name' = spec ->> 'indicatorRef';
            IF sli IS NULL THEN
                RAISE EXCEPTION 'import_openslo: spec.indicatorRef names SLI %, which is not among the documents', spec ->> 'indicatorRef'
                    USING ERRCODE = 'undefined_object', HINT = 'Import the SLI and the SLO together, as a JSON array.';
            END IF;
        END IF;
        IF sli ? 'metadata' THEN
            PERFORM error_budget.openslo_fields(sli -> 'metadata', 'spec.indicator.metadata', '{name,displayName}');
        END IF;
        PERFORM error_budget.openslo_fields(sli -> 'spec', 'spec.indicator.spec', '{ratioMetric,description}', '{ratioMetric}');
        ratio := error_budget.openslo_fields(sli -> 'spec' -> 'ratioMetric', 'ratioMetric', '{counter,good,total}', '{good,total}');
        IF coalesce(ratio -> 'counter', 'false') <> 'false' THEN
            RAISE EXCEPTION 'import_openslo: ratioMetric.counter must be false: the source table holds one row per event'
                USING ERRCODE = 'feature_not_supported';
        END IF;
        PERFORM error_budget.openslo_fields(ratio -> 'good', 'ratioMetric.good', '{metricSource}', '{metricSource}');
        PERFORM error_budget.openslo_fields(ratio -> 'total', 'ratioMetric.total', '{metricSource}', '{metricSource}');
        good := error_budget.openslo_fields(ratio -> 'good' -> 'metricSource', 'ratioMetric.good.metricSource', '{type,spec}', '{type,spec}');
        total := error_budget.openslo_fields(ratio -> 'total' -> 'metricSource', 'ratioMetric.total.metricSource', '{type,spec}', '{type,spec}');
        IF good ->> 'type' IS DISTINCT FROM 'PostgreSQL' OR total ->> 'type' IS DISTINCT FROM 'PostgreSQL' THEN
            RAISE EXCEPTION 'import_openslo: metricSource.type must be PostgreSQL, got %', coalesce(good -> 'type', total -> 'type')
                USING ERRCODE = 'feature_not_supported';
        END IF;
        good := error_budget.openslo_fields(good -> 'spec', 'ratioMetric.good.metricSource.spec', '{condition}', '{condition}');
        total := error_budget.openslo_fields(total -> 'spec', 'ratioMetric.total.metricSource.spec',
                                             '{table,timeColumn,filter,dimensions,weight,timeZone,minEvents}', '{table}');
        -- The time window: one, rolling or calendar.
        IF jsonb_typeof(spec -> 'timeWindow') <> 'array' OR jsonb_array_length(spec -> 'timeWindow') <> 1 THEN
            RAISE EXCEPTION 'import_openslo: spec.timeWindow must hold exactly one window' USING ERRCODE = 'feature_not_supported';
        END IF;
        time_window := error_budget.openslo_fields(spec -> 'timeWindow' -> 0, 'spec.timeWindow[0]', '{duration,isRolling,calendar}', '{duration}');
        rolling := coalesce((time_window ->> 'isRolling')::boolean, false);
        duration := error_budget.openslo_duration(time_window ->> 'duration', 'spec.timeWindow[0].duration');
        zone := total ->> 'timeZone';
        calendar_unit := NULL;
        IF NOT rolling THEN
            PERFORM error_budget.openslo_fields(time_window -> 'calendar', 'spec.timeWindow[0].calendar', '{startTime,timeZone}', '{startTime}');
            -- (by the text: interval equality holds 30 days equal to 1 month)
            calendar_unit := CASE time_window ->> 'duration' WHEN '1w' THEN 'week' WHEN '7d' THEN 'week' WHEN '1M' THEN 'month'
                                                             WHEN '1Q' THEN 'quarter' WHEN '3M' THEN 'quarter' END;
            IF calendar_unit IS NULL THEN
                RAISE EXCEPTION 'import_openslo: a calendar spec.timeWindow[0].duration must be 1w, 1M or 1Q, got %', time_window ->> 'duration'
                    USING ERRCODE = 'feature_not_supported';
            END IF;
            IF zone IS NOT NULL AND time_window -> 'calendar' ? 'timeZone' AND zone <> time_window -> 'calendar' ->> 'timeZone' THEN
                RAISE EXCEPTION 'import_openslo: ratioMetric.total.metricSource.spec.timeZone (%) differs from the calendar''s (%)',
                    zone, time_window -> 'calendar' ->> 'timeZone' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            zone := coalesce(time_window -> 'calendar' ->> 'timeZone', zone);
            -- The window starts on its week's, month's or quarter's first day at midnight.
            IF date_trunc(calendar_unit, (time_window -> 'calendar' ->> 'startTime')::timestamp) <> (time_window -> 'calendar' ->> 'startTime')::timestamp THEN
                RAISE EXCEPTION 'import_openslo: spec.timeWindow[0].calendar.startTime must start a %, got %', calendar_unit,
                    time_window -> 'calendar' ->> 'startTime' USING ERRCODE = 'feature_not_supported',
                    HINT = 'Calendar windows here start at the first day of their week (Monday), month or quarter.';
            END IF;
        ELSIF (time_window ->> 'duration') ~ '[MQY]$' THEN
            RAISE EXCEPTION 'import_openslo: a rolling spec.timeWindow[0].duration must be a fixed length (s, m, h, d, w), got %',
                time_window ->> 'duration' USING ERRCODE = 'feature_not_supported',
                HINT = 'A month or quarter is a calendar window: isRolling false.';
        ELSIF time_window ? 'calendar' THEN
            RAISE EXCEPTION 'import_openslo: a rolling window has no spec.timeWindow[0].calendar' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        -- The objective: one.
        IF jsonb_typeof(spec -> 'objectives') <> 'array' OR jsonb_array_length(spec -> 'objectives') <> 1 THEN
            RAISE EXCEPTION 'import_openslo: spec.objectives must hold exactly one objective' USING ERRCODE = 'feature_not_supported';
        END IF;
        objective := error_budget.openslo_fields(spec -> 'objectives' -> 0, 'spec.objectives[0]',
                                                 '{displayName,target,timeSliceTarget,timeSliceWindow}', '{target}');
        IF jsonb_typeof(objective -> 'target') <> 'number' THEN
            RAISE EXCEPTION 'import_openslo: spec.objectives[0].target must be a number' USING ERRCODE = 'invalid_parameter_value';
        END IF;

        defined := error_budget.define_slo(
            name => doc -> 'metadata' ->> 'name',
            source => coalesce((tables ->> (total ->> 'table'))::oid::regclass, (total ->> 'table')::regclass),
            kind => 'ratio',
            good => good ->> 'condition',
            target => (objective ->> 'target')::double precision,
            weight => total ->> 'weight',
            time_column => coalesce(total ->> 'timeColumn', 'created_at'),
            dimensions => coalesce(ARRAY(SELECT jsonb_array_elements_text(total -> 'dimensions')), '{}')::name[],
            filter => total ->> 'filter',
            rolling_window => CASE WHEN rolling THEN duration END,
            calendar => calendar_unit,
            time_zone => coalesce(zone, 'UTC'),
            method => spec ->> 'budgetingMethod',
            slice => CASE WHEN objective ? 'timeSliceWindow'
                          THEN error_budget.openslo_duration(objective ->> 'timeSliceWindow', 'spec.objectives[0].timeSliceWindow') END,
            slice_target => (objective ->> 'timeSliceTarget')::double precision,
            min_events => coalesce((total ->> 'minEvents')::bigint, 1),
            description => spec ->> 'description',
            replace => replace);
        -- Kept: the document (exported as it is while the definition stays the same).
        UPDATE error_budget.slos s
        SET openslo = jsonb_build_object('document', doc || jsonb_build_object('spec', spec - 'indicatorRef' || jsonb_build_object('indicator', sli)),
                                         'definition', error_budget.openslo_definition(s))
        WHERE s.id = defined.id
        RETURNING * INTO defined;
        n := n + 1;
        RETURN NEXT defined;
    END LOOP;
    IF n = 0 THEN
        RAISE EXCEPTION 'import_openslo: no SLO among the documents' USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;
COMMENT ON FUNCTION error_budget.import_openslo_resolved(jsonb, boolean, jsonb) IS
    'The body of import_openslo, with the source tables already resolved on the caller''s search_path (error_budget.openslo_tables)';

CREATE FUNCTION error_budget.export_openslo(slo text) RETURNS jsonb
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s error_budget.slos;
    kept jsonb;
    total jsonb;
    time_window jsonb;
    objective jsonb;
    doc jsonb;
BEGIN
    SELECT * INTO s FROM error_budget.slos x WHERE x.name = export_openslo.slo;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'export_openslo: no SLO named %', coalesce(slo, 'NULL') USING ERRCODE = 'undefined_object';
    END IF;
    IF s.kind <> 'ratio' THEN
        RAISE EXCEPTION 'export_openslo: SLO % is a % SLO; OpenSLO''s ratioMetric expresses ratio SLOs only', s.name, s.kind
            USING ERRCODE = 'feature_not_supported';
    END IF;
    -- Imported and unchanged since: the document as it was given.
    IF s.openslo IS NOT NULL AND s.openslo -> 'definition' = error_budget.openslo_definition(s) THEN
        RETURN s.openslo -> 'document';
    END IF;
    kept := s.openslo -> 'document';
    total := jsonb_strip_nulls(jsonb_build_object(
        'table', s.source::text, 'timeColumn', s.time_column, 'filter', s.filter,
        'dimensions', CASE WHEN cardinality(s.dimensions) > 0 THEN to_jsonb(s.dimensions) END, 'weight', s.weight,
        'timeZone', CASE WHEN s.calendar IS NULL THEN s.time_zone END, 'minEvents', s.min_events));
    time_window := CASE WHEN s.calendar IS NULL
                   THEN jsonb_build_object('duration', error_budget.openslo_duration_text(s.rolling_window), 'isRolling', true)
                   ELSE jsonb_build_object('duration', CASE s.calendar WHEN 'week' THEN '1w' WHEN 'month' THEN '1M' ELSE '1Q' END,
                                           'isRolling', false,
                                           'calendar', jsonb_build_object('startTime', CASE s.calendar WHEN 'week' THEN '2000-01-03 00:00:00'
                                                                                                      ELSE '2000-01-01 00:00:00' END,
                                                                          'timeZone', s.time_zone)) END;
    objective := jsonb_strip_nulls(jsonb_build_object(
        'displayName', kept -> 'spec' -> 'objectives' -> 0 -> 'displayName', 'target', s.target, 'timeSliceTarget', s.slice_target,
        'timeSliceWindow', error_budget.openslo_duration_text(s.slice)));
    doc := jsonb_build_object(
        'apiVersion', 'openslo/v1', 'kind', 'SLO',
        'metadata', jsonb_build_object('name', s.name) || (coalesce(kept -> 'metadata', '{}') - 'name'),
        'spec', jsonb_strip_nulls(jsonb_build_object(
            'description', s.description,
            'service', kept -> 'spec' -> 'service',
            'indicator', jsonb_build_object(
                'metadata', coalesce(kept -> 'spec' -> 'indicator' -> 'metadata', jsonb_build_object('name', s.name || '-sli')),
                'spec', jsonb_build_object('ratioMetric', jsonb_build_object(
                    'counter', false,
                    'good', jsonb_build_object('metricSource', jsonb_build_object('type', 'PostgreSQL', 'spec', jsonb_build_object('condition', s.good))),
                    'total', jsonb_build_object('metricSource', jsonb_build_object('type', 'PostgreSQL', 'spec', total))))),
            'timeWindow', jsonb_build_array(time_window),
            'budgetingMethod', s.method,
            'objectives', jsonb_build_array(objective))));
    RETURN doc;
END $$;
COMMENT ON FUNCTION error_budget.export_openslo(text) IS
    'The OpenSLO v1 SLO document of a ratio SLO (0A000 for other kinds): the document import_openslo was given while the definition is unchanged since, otherwise one written from the catalog (canonical expressions, durations in days or seconds, the kept metadata, service and display names)';
