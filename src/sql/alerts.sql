-- error_budget: multiwindow multi-burn-rate alerts: burn rates from rollups, evaluate_alerts(), open alerts and their log.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

-- ---------------------------------------------------------------------------
-- Burn rates of every budget over every alert window, from the rollups.
-- ---------------------------------------------------------------------------
-- The pairs of every budget of the given SLOs at window_end, evaluated: both
-- windows' totals are differences of rollup rows, the numbers come from the core.
-- remaining is the budget's latest snapshot (compute_budgets) at or before it.
CREATE TYPE error_budget.evaluated_pair AS (
    slo_id bigint,
    slo_name text,
    dimensions jsonb,
    severity text,
    long_window interval,
    short_window interval,
    factor double precision,
    long_burn double precision,
    short_burn double precision,
    short_events double precision,
    fires boolean,
    consumed double precision,
    remaining double precision,
    time_to_exhaustion interval
);
COMMENT ON TYPE error_budget.evaluated_pair IS
    'One alert window pair of one budget, evaluated (a row of error_budget.evaluate_pairs)';

-- SET jit = off (here and on the other per-call functions of alerts, gates and
-- routes): the default row estimates of function scans make these small queries look
-- expensive, and with PostgreSQL's default jit = on each call spent ~0.4 s compiling.
CREATE FUNCTION error_budget.evaluate_pairs(slo_ids bigint[], window_end timestamptz)
    RETURNS SETOF error_budget.evaluated_pair
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
    WITH pairs AS (
        SELECT s AS slo, w.*, error_budget.slo_period(s, window_end) AS period
        FROM error_budget.slos s CROSS JOIN LATERAL error_budget.slo_alert_windows(s, window_end) AS w
        WHERE s.id = ANY (slo_ids)
    ), totals AS (
        SELECT (p.slo).id AS slo_id, t
        FROM (SELECT DISTINCT ON ((pairs.slo).id) pairs.slo FROM pairs) AS p
        CROSS JOIN LATERAL error_budget.rollup_window_totals(
            (p.slo).id, window_end,
            ARRAY(SELECT DISTINCT l FROM pairs q, unnest(ARRAY[q.long_window, q.short_window]) AS l
                  WHERE (q.slo).id = (p.slo).id)) AS t
    )
    SELECT (p.slo).id, (p.slo).name, (lt.t).dimensions, p.severity, p.long_window, p.short_window, p.factor,
           e.long_burn, e.short_burn, e.short_events, e.fires, e.consumed, last.remaining, e.time_to_exhaustion
    FROM pairs p
    JOIN totals lt ON lt.slo_id = (p.slo).id AND (lt.t).length = p.long_window
    JOIN totals st ON (st.t).series_id = (lt.t).series_id AND (st.t).length = p.short_window
    LEFT JOIN LATERAL (SELECT b.remaining FROM error_budget.error_budgets b
                       WHERE b.slo_id = (p.slo).id AND b.dimensions = (lt.t).dimensions AND b.computed_at <= window_end
                       ORDER BY b.computed_at DESC LIMIT 1) AS last ON true
    CROSS JOIN LATERAL error_budget.alert_pair(p.slo, lt.t, st.t, p.long_window, p.short_window, p.factor,
                                               p.period, last.remaining) AS e
$$;
COMMENT ON FUNCTION error_budget.evaluate_pairs(bigint[], timestamptz) IS
    'Every alert window pair of every budget of the given SLOs evaluated over windows ending at window_end (from the rollups): both burn rates, the short window''s events, whether it fires, the budget consumed in the long window, and the time to exhaustion from the budget''s latest snapshot''s remaining';

CREATE VIEW error_budget.burn_rates WITH (security_invoker = true) AS
SELECT s.name AS slo, t.dimensions, t.dimensions ->> 'vertical' AS vertical, t.length AS "window", b.burn, b.events,
       p.rolled_up_to AS as_of
FROM error_budget.slos s
JOIN error_budget.rollup_progress p ON p.slo_id = s.id
CROSS JOIN LATERAL error_budget.rollup_window_totals(
    s.id, p.rolled_up_to,
    ARRAY(SELECT DISTINCT l FROM error_budget.slo_alert_windows(s, p.rolled_up_to) AS w,
                                 unnest(ARRAY[w.long_window, w.short_window]) AS l)) AS t
CROSS JOIN LATERAL error_budget.window_burn(s, t, t.length, error_budget.slo_period(s, p.rolled_up_to)) AS b
WHERE s.enabled;
COMMENT ON VIEW error_budget.burn_rates IS
    'The current burn rate of every budget (SLO and dimension values) over each of its alert windows, as of its rollups (as_of: minutes before it are rolled up): what a dashboard charts. 1 spends the budget over the period; NULL without events';

-- ---------------------------------------------------------------------------
-- Alerts: at most one open per (SLO, dimension values, severity), and their log.
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.alerts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slo_id bigint CONSTRAINT alerts_slo_fk REFERENCES error_budget.slos (id) ON DELETE SET NULL,
    slo_name text NOT NULL,
    dimensions jsonb NOT NULL,
    severity text NOT NULL CONSTRAINT alerts_severity CHECK (severity IN ('page', 'ticket')),
    long_window interval NOT NULL,
    short_window interval NOT NULL,
    factor double precision NOT NULL,
    long_burn double precision,
    short_burn double precision,
    consumed double precision,
    remaining double precision,
    time_to_exhaustion interval,
    fired_at timestamptz NOT NULL,
    last_fired_at timestamptz NOT NULL,
    resolved_at timestamptz,
    CONSTRAINT alerts_order CHECK (resolved_at IS NULL OR resolved_at >= fired_at)
);
-- Two evaluations never open two alerts for the same key.
CREATE UNIQUE INDEX alerts_open_once ON error_budget.alerts (slo_id, dimensions, severity) WHERE resolved_at IS NULL;
CREATE INDEX alerts_fired_at_idx ON error_budget.alerts (fired_at);
COMMENT ON TABLE error_budget.alerts IS
    'Multiwindow multi-burn-rate alerts kept by evaluate_alerts(): at most one open (resolved_at NULL) per SLO, dimension values and severity, with the pair that fired last (the one with the highest long-window burn), both burn rates, the threshold, the budget consumed in the long window and the time to exhaustion';
COMMENT ON COLUMN error_budget.alerts.slo_name IS 'The SLO''s name when the alert fired (kept when the SLO is deleted)';
COMMENT ON COLUMN error_budget.alerts.dimensions IS 'The budget''s dimension values, e.g. {"vertical": "sales", "tenant": "acme"}';
COMMENT ON COLUMN error_budget.alerts.severity IS 'page or ticket';
COMMENT ON COLUMN error_budget.alerts.long_window IS 'The long window of the pair that fired';
COMMENT ON COLUMN error_budget.alerts.short_window IS 'The short window of the pair that fired';
COMMENT ON COLUMN error_budget.alerts.factor IS 'The burn-rate threshold of the pair that fired';
COMMENT ON COLUMN error_budget.alerts.long_burn IS 'Burn rate over the long window at the last firing evaluation (Infinity: a zero-tolerance count)';
COMMENT ON COLUMN error_budget.alerts.short_burn IS 'Burn rate over the short window at the last firing evaluation';
COMMENT ON COLUMN error_budget.alerts.consumed IS 'Fraction of the budget consumed in the long window (long_burn x long_window / period)';
COMMENT ON COLUMN error_budget.alerts.remaining IS 'The budget''s remaining fraction in its latest snapshot (compute_budgets); NULL when it has none';
COMMENT ON COLUMN error_budget.alerts.time_to_exhaustion IS 'remaining x period / short_burn: when the budget is gone at the current burn; NULL when unknown';
COMMENT ON COLUMN error_budget.alerts.fired_at IS 'The evaluation time at which it opened';
COMMENT ON COLUMN error_budget.alerts.last_fired_at IS 'The last evaluation time at which a pair of its severity fired';
COMMENT ON COLUMN error_budget.alerts.resolved_at IS 'The evaluation time at which it resolved: no pair of its severity fired for error_budget.alert_keep_firing, or its SLO was disabled or deleted';
COMMENT ON SEQUENCE error_budget.alerts_id_seq IS 'Identity of error_budget.alerts.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.alerts', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.alerts_id_seq', '');

CREATE TABLE error_budget.alert_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id bigint NOT NULL CONSTRAINT alert_events_alert_fk REFERENCES error_budget.alerts (id) ON DELETE CASCADE,
    event text NOT NULL CONSTRAINT alert_events_event CHECK (event IN ('fired', 'resolved')),
    at timestamptz NOT NULL,
    payload jsonb NOT NULL,
    logged_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX alert_events_alert_idx ON error_budget.alert_events (alert_id);
COMMENT ON TABLE error_budget.alert_events IS
    'Every fire and resolve of an alert, with the JSON payload sent as NOTIFY error_budget_alert';
COMMENT ON COLUMN error_budget.alert_events.at IS 'The evaluation time';
COMMENT ON COLUMN error_budget.alert_events.payload IS 'What NOTIFY error_budget_alert carried in full (see error_budget.alert_payload)';
COMMENT ON SEQUENCE error_budget.alert_events_id_seq IS 'Identity of error_budget.alert_events.id (dumped with the rows)';
SELECT pg_catalog.pg_extension_config_dump('error_budget.alert_events', '');
SELECT pg_catalog.pg_extension_config_dump('error_budget.alert_events_id_seq', '');

CREATE TABLE error_budget.alert_evaluator (
    singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT alert_evaluator_one_row CHECK (singleton),
    evaluated_at timestamptz NOT NULL,
    run_at timestamptz NOT NULL,
    pairs bigint NOT NULL,
    firing bigint NOT NULL
);
COMMENT ON TABLE error_budget.alert_evaluator IS
    'The last evaluate_alerts(): the time it evaluated, when it ran, how many pairs it evaluated and how many fired (an evaluator that stopped shows here first)';

-- The JSON of an alert event.
CREATE FUNCTION error_budget.alert_payload(event_id bigint, event text, a error_budget.alerts) RETURNS jsonb
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_build_object('event_id', event_id, 'event', event, 'alert_id', a.id, 'slo', a.slo_name,
                              'dimensions', a.dimensions, 'severity', a.severity,
                              'long_window', a.long_window::text, 'short_window', a.short_window::text,
                              'factor', a.factor, 'long_burn', a.long_burn, 'short_burn', a.short_burn,
                              'consumed', a.consumed, 'remaining', a.remaining,
                              'time_to_exhaustion', a.time_to_exhaustion::text,
                              'fired_at', a.fired_at, 'resolved_at', a.resolved_at)
$$;
COMMENT ON FUNCTION error_budget.alert_payload(bigint, text, error_budget.alerts) IS
    'JSON of an alert event: event_id, event (fired, resolved), alert_id, slo, dimensions, severity, the pair (long_window, short_window, factor), both burn rates, consumed, remaining, time_to_exhaustion, fired_at, resolved_at';

-- Logs an alert event and sends it: NOTIFY error_budget_alert with the whole JSON,
-- or only {"event_id": ...} with error_budget.notify_payload = 'id' (any role may
-- LISTEN to any channel; listeners then read alert_events through row-level security).
CREATE FUNCTION error_budget.announce_alert(a error_budget.alerts, event text, at timestamptz) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    event_id bigint := nextval('error_budget.alert_events_id_seq');
    payload jsonb := error_budget.alert_payload(event_id, event, a);
BEGIN
    INSERT INTO error_budget.alert_events (id, alert_id, event, at, payload) OVERRIDING SYSTEM VALUE
    VALUES (event_id, a.id, event, at, payload);
    PERFORM pg_catalog.pg_notify('error_budget_alert',
                                 CASE WHEN pg_catalog.current_setting('error_budget.notify_payload', true) = 'id'
                                      THEN jsonb_build_object('event_id', event_id) ELSE payload END::text);
    RETURN event_id;
END $$;
COMMENT ON FUNCTION error_budget.announce_alert(error_budget.alerts, text, timestamptz) IS
    'Logs a fire or resolve of an alert in alert_events and sends NOTIFY error_budget_alert with its payload (only the event id when error_budget.notify_payload = ''id'')';

CREATE FUNCTION error_budget.evaluate_alerts(at timestamptz DEFAULT pg_catalog.now())
    RETURNS TABLE (event text, alert_id bigint, slo text, dimensions jsonb, severity text, long_window interval,
                   short_window interval, long_burn double precision, short_burn double precision)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    window_end timestamptz;
    previous timestamptz;
    keep_firing interval := coalesce(nullif(pg_catalog.current_setting('error_budget.alert_keep_firing', true), ''), '5min')::interval;
    ids bigint[];
    a error_budget.alerts;
    firing error_budget.evaluated_pair[];
    n_pairs bigint;
    n_firing bigint;
BEGIN
    IF at IS NULL OR NOT isfinite(at) THEN
        RAISE EXCEPTION 'evaluate_alerts: at must be a finite time, got %', coalesce(at::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF at > pg_catalog.now() + interval '5 minutes' THEN
        RAISE EXCEPTION 'evaluate_alerts: at (%) is in the future', at USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- One evaluation at a time: a second waits, then sees what the first opened.
    PERFORM pg_advisory_xact_lock(7233431220150515);
    SELECT e.evaluated_at INTO previous FROM error_budget.alert_evaluator e;
    IF previous > at THEN
        RAISE EXCEPTION 'evaluate_alerts: alerts were evaluated at % already; evaluate at that time or later', previous
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Alerts move forward in time. To replay the past, delete error_budget.alerts and error_budget.alert_evaluator first.';
    END IF;
    window_end := pg_catalog.date_bin('1 minute', at, '2000-01-01 00:00:00+00');
    -- The rollups it needs: new minutes, late rows, changed planned burns, new SLOs.
    IF EXISTS (SELECT FROM error_budget.slos s LEFT JOIN error_budget.rollup_progress p ON p.slo_id = s.id
               WHERE s.enabled AND error_budget.slo_alertable(s)
                 AND (p.slo_id IS NULL OR p.rolled_up_to < window_end OR p.dirty_from IS NOT NULL
                      OR p.definition <> error_budget.rollup_definition(s))) THEN
        PERFORM error_budget.refresh_slo_rollups(NULL, at, NULL);
    END IF;
    ids := ARRAY(SELECT s.id FROM error_budget.slos s JOIN error_budget.rollup_progress p ON p.slo_id = s.id
                 WHERE s.enabled AND error_budget.slo_alertable(s) AND p.rolled_up_to >= window_end);

    -- Every pair evaluated; per key, the firing pair with the highest long-window burn.
    WITH evaluated AS MATERIALIZED (SELECT e FROM error_budget.evaluate_pairs(ids, window_end) AS e)
    SELECT (SELECT count(*) FROM evaluated), (SELECT count(*) FROM evaluated WHERE (e).fires),
           ARRAY(SELECT DISTINCT ON ((e).slo_id, (e).dimensions, (e).severity) e FROM evaluated WHERE (e).fires
                 ORDER BY (e).slo_id, (e).dimensions, (e).severity, (e).long_burn DESC, (e).long_window)
    INTO n_pairs, n_firing, firing;

    -- Still firing: the numbers of now.
    UPDATE error_budget.alerts o
    SET last_fired_at = at, long_window = f.long_window, short_window = f.short_window, factor = f.factor,
        long_burn = f.long_burn, short_burn = f.short_burn, consumed = f.consumed, remaining = f.remaining,
        time_to_exhaustion = f.time_to_exhaustion
    FROM unnest(firing) AS f
    WHERE o.resolved_at IS NULL AND o.slo_id = f.slo_id AND o.dimensions = f.dimensions AND o.severity = f.severity;

    -- Fired: opened, logged, announced.
    FOR a IN
        INSERT INTO error_budget.alerts (slo_id, slo_name, dimensions, severity, long_window, short_window, factor,
                                         long_burn, short_burn, consumed, remaining, time_to_exhaustion, fired_at, last_fired_at)
        SELECT f.slo_id, f.slo_name, f.dimensions, f.severity, f.long_window, f.short_window, f.factor,
               f.long_burn, f.short_burn, f.consumed, f.remaining, f.time_to_exhaustion, at, at
        FROM unnest(firing) AS f
        WHERE NOT EXISTS (SELECT FROM error_budget.alerts o WHERE o.resolved_at IS NULL AND o.slo_id = f.slo_id
                                                               AND o.dimensions = f.dimensions AND o.severity = f.severity)
        ORDER BY f.slo_name, f.dimensions, f.severity
        RETURNING *
    LOOP
        PERFORM error_budget.announce_alert(a, 'fired', at);
        RETURN QUERY SELECT 'fired'::text, a.id, a.slo_name, a.dimensions, a.severity, a.long_window, a.short_window,
                            a.long_burn, a.short_burn;
    END LOOP;

    -- Resolved: quiet for keep_firing (only an SLO evaluated now: one whose rollups
    -- could not be refreshed keeps its alerts open), or the SLO is gone, disabled or
    -- no longer alertable.
    FOR a IN
        UPDATE error_budget.alerts o SET resolved_at = at
        WHERE o.resolved_at IS NULL
          AND NOT EXISTS (SELECT FROM unnest(firing) AS f
                          WHERE o.slo_id = f.slo_id AND o.dimensions = f.dimensions AND o.severity = f.severity)
          AND ((o.slo_id = ANY (ids) AND at - o.last_fired_at >= keep_firing)
               OR NOT EXISTS (SELECT FROM error_budget.slos s WHERE s.id = o.slo_id AND s.enabled AND error_budget.slo_alertable(s)))
        RETURNING *
    LOOP
        PERFORM error_budget.announce_alert(a, 'resolved', at);
        RETURN QUERY SELECT 'resolved'::text, a.id, a.slo_name, a.dimensions, a.severity, a.long_window, a.short_window,
                            a.long_burn, a.short_burn;
    END LOOP;

    INSERT INTO error_budget.alert_evaluator AS e (evaluated_at, run_at, pairs, firing)
    VALUES (at, pg_catalog.clock_timestamp(), n_pairs, n_firing)
    ON CONFLICT (singleton) DO UPDATE SET evaluated_at = EXCLUDED.evaluated_at, run_at = EXCLUDED.run_at,
                                          pairs = EXCLUDED.pairs, firing = EXCLUDED.firing;
EXCEPTION WHEN unique_violation THEN
    -- Only under REPEATABLE READ or SERIALIZABLE: a concurrent evaluation opened the
    -- alert after this transaction's snapshot was taken.
    RAISE EXCEPTION 'evaluate_alerts: a concurrent evaluation opened the same alert' USING ERRCODE = 'serialization_failure',
        HINT = 'Retry: the alert is open.';
END $$;
COMMENT ON FUNCTION error_budget.evaluate_alerts(timestamptz) IS
    'Refreshes the rollups it needs, evaluates every alert window pair of every budget of every enabled SLO alerts cover over windows ending at `at` (whole minutes), and keeps error_budget.alerts: opens one alert per SLO, dimension values and severity when a pair fires, updates it while it fires, resolves it when no pair of its severity fired for error_budget.alert_keep_firing; each fire and resolve is logged in alert_events and sent as NOTIFY error_budget_alert. Returns the events of this evaluation. Evaluations move forward in time and run one at a time';
