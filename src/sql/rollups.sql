-- error_budget: per-minute rollups of every SLO alerts cover: what burn rates over any window are read from.
-- A source of the install script error_budget--<version>.sql, which the Makefile
-- concatenates from src/sql/*.sql in the order of SQL_SOURCES (see src/sql/README.md).

-- ---------------------------------------------------------------------------
-- Storage. A series is one budget (an SLO and its dimension values); a rollup row
-- is one minute of one series that had rows, holding RUNNING TOTALS since the
-- series' first rolled-up minute. The totals of any window [a, b) are then the
-- difference of two rows (the last before b minus the last before a): two index
-- lookups per window, whatever its length, so evaluating alerts costs the same at 5M
-- or 500M source rows. Counts are exact integers; weight and amount sums are
-- doubles, exact for whole-number weights.
-- ---------------------------------------------------------------------------
CREATE TABLE error_budget.rollup_series (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slo_id bigint NOT NULL CONSTRAINT rollup_series_slo_fk REFERENCES error_budget.slos (id) ON DELETE CASCADE,
    dimensions jsonb NOT NULL,
    CONSTRAINT rollup_series_once UNIQUE (slo_id, dimensions)
);
COMMENT ON SEQUENCE error_budget.rollup_series_id_seq IS 'Identity of error_budget.rollup_series.id';
COMMENT ON TABLE error_budget.rollup_series IS
    'The budgets that have rollups: one SLO and its dimension values each (rows of error_budget.rollups refer to it)';

CREATE TABLE error_budget.rollups (
    -- No foreign key: its per-row check would cost more than the rollup itself; the
    -- triggers on rollup_series below delete a deleted series' rows instead.
    series_id bigint NOT NULL,
    minute timestamptz NOT NULL,
    good bigint,
    bad bigint,
    good_weight double precision,
    bad_weight double precision,
    scoped bigint,
    counted bigint,
    units bigint,
    amount double precision,
    forgiven_events bigint NOT NULL,
    forgiven_amount double precision,
    CONSTRAINT rollups_pkey PRIMARY KEY (series_id, minute)
);
COMMENT ON TABLE error_budget.rollups IS
    'Per-minute rollups as running totals: a row (series, minute) holds the totals of the series from its first rolled-up minute through this minute, planned burns excluded; a window''s totals are the difference of two rows. Written by refresh_rollups(); NULL: a total the SLO''s kind has not';
COMMENT ON COLUMN error_budget.rollups.minute IS 'The minute [minute, minute + 1 min) whose rows were the last added to these totals';
COMMENT ON COLUMN error_budget.rollups.good IS 'ratio: good events so far';
COMMENT ON COLUMN error_budget.rollups.bad IS 'ratio: bad events so far';
COMMENT ON COLUMN error_budget.rollups.good_weight IS 'weighted ratio: weight of good events so far';
COMMENT ON COLUMN error_budget.rollups.bad_weight IS 'weighted ratio: weight of bad events so far';
COMMENT ON COLUMN error_budget.rollups.scoped IS 'count: rows in scope so far';
COMMENT ON COLUMN error_budget.rollups.counted IS 'count: counted events so far';
COMMENT ON COLUMN error_budget.rollups.units IS 'amount_per_unit and amount_cap: units so far';
COMMENT ON COLUMN error_budget.rollups.amount IS 'amount_per_unit and amount_cap: amount so far';
COMMENT ON COLUMN error_budget.rollups.forgiven_events IS 'Events excluded by planned burns so far';
COMMENT ON COLUMN error_budget.rollups.forgiven_amount IS 'Amount excluded by planned burns so far';

-- A deleted series (its SLO deleted or redefined) takes its rows along, per statement.
-- SECURITY DEFINER: whoever may delete an SLO (the series go by its foreign key) may
-- delete its rollups, and nothing else.
CREATE FUNCTION error_budget.rollup_series_deleted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        -- (DELETE: a TRUNCATE here would fail when the same statement truncates rollups)
        DELETE FROM error_budget.rollups;
    ELSE
        DELETE FROM error_budget.rollups r USING gone g WHERE r.series_id = g.id;
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION error_budget.rollup_series_deleted() IS
    'Trigger function of rollup_series: deletes the rollups of deleted series (the cascade a foreign key would do, once per statement)';
REVOKE ALL ON FUNCTION error_budget.rollup_series_deleted() FROM PUBLIC;
CREATE TRIGGER rollup_series_delete_rollups AFTER DELETE ON error_budget.rollup_series
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION error_budget.rollup_series_deleted();
COMMENT ON TRIGGER rollup_series_delete_rollups ON error_budget.rollup_series IS
    'Deletes the rollups of the series a statement deleted';
CREATE TRIGGER rollup_series_truncate_rollups AFTER TRUNCATE ON error_budget.rollup_series
    FOR EACH STATEMENT EXECUTE FUNCTION error_budget.rollup_series_deleted();
COMMENT ON TRIGGER rollup_series_truncate_rollups ON error_budget.rollup_series IS
    'Truncating the series truncates the rollups';

CREATE TABLE error_budget.rollup_progress (
    slo_id bigint PRIMARY KEY CONSTRAINT rollup_progress_slo_fk REFERENCES error_budget.slos (id) ON DELETE CASCADE,
    rolled_up_to timestamptz NOT NULL,
    kept_from timestamptz NOT NULL,
    dirty_from timestamptz,
    definition text NOT NULL,
    refreshed_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE error_budget.rollup_progress IS
    'How far each SLO is rolled up: minutes in [kept_from, rolled_up_to) are in error_budget.rollups';
COMMENT ON COLUMN error_budget.rollup_progress.rolled_up_to IS 'Minutes before this are rolled up (the next refresh re-aggregates the last error_budget.rollup_lateness of them)';
COMMENT ON COLUMN error_budget.rollup_progress.kept_from IS 'The first minute rolled up (older rows are not, or were pruned)';
COMMENT ON COLUMN error_budget.rollup_progress.dirty_from IS 'A planned burn logged, changed or deleted since covers minutes from here: the next refresh re-aggregates them';
COMMENT ON COLUMN error_budget.rollup_progress.definition IS 'Fingerprint of the SLO''s definition the rollups were built from: when it changes, they are rebuilt';

-- What the rollups of an SLO depend on: a change of any of it rebuilds them.
CREATE FUNCTION error_budget.rollup_definition(slo error_budget.slos) RETURNS text
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT md5(concat_ws(E'\x1f', slo.source::oid::text, slo.time_column, slo.time_zone, slo.dimensions::text, slo.filter,
                         slo.kind, slo.good, slo.weight, slo.event, slo.amount, slo.unit))
$$;
COMMENT ON FUNCTION error_budget.rollup_definition(error_budget.slos) IS
    'Fingerprint of what an SLO''s rollups depend on (table, time column and zone, dimensions, filter, kind and expressions)';

-- How much history an SLO's rollups keep: its longest alert window (burn rates of
-- shorter windows need no more).
CREATE FUNCTION error_budget.rollup_span(slo error_budget.slos, at timestamptz) RETURNS interval
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT max(w.long_window) FROM error_budget.slo_alert_windows(slo, at) AS w
$$;
COMMENT ON FUNCTION error_budget.rollup_span(error_budget.slos, timestamptz) IS
    'The history an SLO''s rollups keep: its longest alert window';

-- The type of a rollup scan's rows: scan_totals and the minute.
CREATE TYPE error_budget.rollup_totals AS (
    slo_id bigint,
    dims jsonb,
    good double precision,
    bad double precision,
    good_weight double precision,
    bad_weight double precision,
    min_weight double precision,
    scoped double precision,
    counted double precision,
    units double precision,
    amount double precision,
    forgiven_events double precision,
    forgiven_amount double precision,
    bad_slices double precision,
    slices_with_events double precision,
    mean_slice_ratio double precision,
    slice_events double precision,
    series double precision[],
    minute timestamptz
);
COMMENT ON TYPE error_budget.rollup_totals IS
    'A row of a rollup scan: the totals of error_budget.scan_totals for one SLO, dimension values and minute';

CREATE FUNCTION error_budget.run_rollup_scan(scan text, slo_ids bigint[], window_start timestamptz, window_end timestamptz)
    RETURNS SETOF error_budget.rollup_totals
    AS 'MODULE_PATHNAME', 'run_slo_scan' LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION error_budget.run_rollup_scan(text, bigint[], timestamptz, timestamptz) IS
    'run_slo_scan for rollups (scan = ''rollup'': the Occurrences scan grouped by minute too; ''daily'': by day, for daily burns), run with the SLOs'' owner''s rights in a security-restricted operation; rows of error_budget.rollup_totals';
REVOKE ALL ON FUNCTION error_budget.run_rollup_scan(text, bigint[], timestamptz, timestamptz) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Refreshing.
-- ---------------------------------------------------------------------------
CREATE FUNCTION error_budget.record_rollup_failure(slo error_budget.slos, at timestamptz, state text, message text)
    RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO error_budget.compute_failures (slo_id, slo_name, owner, computed_for, sqlstate, message)
    VALUES (slo.id, slo.name, slo.owner::oid::regrole::text, at, state, 'refresh_rollups: ' || message);
    RAISE WARNING 'refresh_rollups: SLO % was not rolled up to %: % (SQLSTATE %)', slo.name, at, message, state
        USING HINT = 'See error_budget.compute_failures; the other SLOs were rolled up.';
END $$;
COMMENT ON FUNCTION error_budget.record_rollup_failure(error_budget.slos, timestamptz, text, text) IS
    'Records that one SLO could not be rolled up (a row of error_budget.compute_failures, its message starting with refresh_rollups:, and a WARNING)';

-- Re-aggregates, for every enabled SLO alerts cover (or those named), the minutes
-- from max(its rolled-up point - error_budget.rollup_lateness, `since`, the first
-- minute a changed planned burn covers) to the end, and rolls up new minutes to
-- `up_to` (whole minutes). A new or redefined SLO is rolled up over its span.
CREATE FUNCTION error_budget.refresh_slo_rollups(since timestamptz, up_to timestamptz, slo_names text[])
    RETURNS TABLE (slo text, rolled_up_from timestamptz, rolled_up_to timestamptz, minutes bigint)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    to_minute timestamptz;
    -- (missing_ok: the setting exists once the module is loaded)
    lateness interval := coalesce(nullif(pg_catalog.current_setting('error_budget.rollup_lateness', true), ''), '10min')::interval;
    s error_budget.slos;
    progress error_budget.rollup_progress;
    start_minute timestamptz;
    from_minute timestamptz;
    grp record;
    one bigint;
    state text;
    message text;
BEGIN
    IF up_to IS NULL OR NOT isfinite(up_to) THEN
        RAISE EXCEPTION 'refresh_rollups: up_to must be a finite time, got %', coalesce(up_to::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF up_to > pg_catalog.now() + interval '5 minutes' THEN
        RAISE EXCEPTION 'refresh_rollups: up_to (%) is in the future', up_to USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF since IS NOT NULL AND (NOT isfinite(since) OR since >= up_to) THEN
        RAISE EXCEPTION 'refresh_rollups: from (%) must be a finite time before to (%)', since, up_to
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT has_function_privilege('error_budget.run_rollup_scan(text, bigint[], timestamptz, timestamptz)', 'EXECUTE') THEN
        RAISE EXCEPTION 'permission denied to refresh rollups: role % may not run SLO scans', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A superuser or the extension''s owner grants it: SELECT error_budget.grant_access(''<role>'', ''compute'')';
    END IF;
    IF EXISTS (SELECT FROM unnest(slo_names) AS n WHERE NOT EXISTS (SELECT FROM error_budget.slos d WHERE d.name = n)) THEN
        RAISE EXCEPTION 'refresh_rollups: no SLO named %',
            (SELECT string_agg(n, ', ') FROM unnest(slo_names) AS n WHERE NOT EXISTS (SELECT FROM error_budget.slos d WHERE d.name = n))
            USING ERRCODE = 'undefined_object';
    END IF;
    to_minute := pg_catalog.date_bin('1 minute', up_to, '2000-01-01 00:00:00+00');
    -- One refresh at a time: the second waits, then finds little left to do.
    PERFORM pg_advisory_xact_lock(7233431220150514);

    IF to_regclass('pg_temp.error_budget_rollup_work') IS NULL THEN
        CREATE TEMP TABLE error_budget_rollup_work (slo error_budget.slos, from_minute timestamptz, to_minute timestamptz,
                                                    reset boolean, definition text) ON COMMIT DROP;
        CREATE TEMP TABLE error_budget_rollup_pending OF error_budget.rollup_totals ON COMMIT DROP;
        CREATE TEMP TABLE error_budget_rollup_computed (LIKE error_budget.rollups INCLUDING INDEXES) ON COMMIT DROP;
    ELSE
        TRUNCATE pg_temp.error_budget_rollup_work, pg_temp.error_budget_rollup_pending, pg_temp.error_budget_rollup_computed;
    END IF;
    FOR s IN SELECT * FROM error_budget.slos d
             WHERE d.enabled AND error_budget.slo_alertable(d) AND (slo_names IS NULL OR d.name = ANY (slo_names))
             ORDER BY d.id LOOP
        SELECT * INTO progress FROM error_budget.rollup_progress r WHERE r.slo_id = s.id;
        BEGIN
            start_minute := to_minute - error_budget.rollup_span(s, up_to);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
            PERFORM error_budget.record_rollup_failure(s, up_to, state, message);
            CONTINUE;
        END;
        IF progress.slo_id IS NULL OR progress.definition <> error_budget.rollup_definition(s) THEN
            INSERT INTO pg_temp.error_budget_rollup_work
            VALUES (s, least(start_minute, coalesce(pg_catalog.date_bin('1 minute', since, '2000-01-01 00:00:00+00'), start_minute)),
                    to_minute, true, error_budget.rollup_definition(s));
            CONTINUE;
        END IF;
        from_minute := least(-- late rows; after a long pause (a disabled SLO) only what its windows need
                             greatest(progress.rolled_up_to - lateness, start_minute),
                             -- a changed planned burn, but never beyond what the SLO keeps
                             CASE WHEN progress.dirty_from IS NOT NULL THEN greatest(progress.dirty_from, start_minute) END,
                             pg_catalog.date_bin('1 minute', since, '2000-01-01 00:00:00+00'));
        from_minute := pg_catalog.date_bin('1 minute', from_minute, '2000-01-01 00:00:00+00');
        -- Never backwards: the running totals after the refreshed range must stay right.
        IF from_minute < greatest(to_minute, progress.rolled_up_to) THEN
            INSERT INTO pg_temp.error_budget_rollup_work
            VALUES (s, from_minute, greatest(to_minute, progress.rolled_up_to), false, progress.definition);
        END IF;
    END LOOP;

    -- One scan per (table, time column and zone, owner, range), as compute_budgets.
    FOR grp IN
        SELECT array_agg((w.slo).id ORDER BY (w.slo).id) AS ids, w.from_minute, w.to_minute
        FROM pg_temp.error_budget_rollup_work w
        GROUP BY (w.slo).source, (w.slo).time_column, (w.slo).time_zone, (w.slo).owner, w.from_minute, w.to_minute ORDER BY 1
    LOOP
        BEGIN
            INSERT INTO pg_temp.error_budget_rollup_pending
            SELECT * FROM error_budget.run_rollup_scan('rollup', grp.ids, grp.from_minute, grp.to_minute);
        EXCEPTION WHEN OTHERS THEN
            -- One broken SLO fails alone: retried one by one, each failure recorded.
            FOREACH one IN ARRAY grp.ids LOOP
                BEGIN
                    INSERT INTO pg_temp.error_budget_rollup_pending
                    SELECT * FROM error_budget.run_rollup_scan('rollup', ARRAY[one], grp.from_minute, grp.to_minute);
                EXCEPTION WHEN OTHERS THEN
                    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
                    SELECT (w.slo).* INTO s FROM pg_temp.error_budget_rollup_work w WHERE (w.slo).id = one;
                    PERFORM error_budget.record_rollup_failure(s, up_to, state, message);
                    DELETE FROM pg_temp.error_budget_rollup_work w WHERE (w.slo).id = one;
                END;
            END LOOP;
        END;
    END LOOP;
    -- A negative weight would silently cancel bad events (as in compute_budgets).
    FOR s IN SELECT (w.slo).* FROM pg_temp.error_budget_rollup_work w
             WHERE EXISTS (SELECT FROM pg_temp.error_budget_rollup_pending r WHERE r.slo_id = (w.slo).id AND r.min_weight < 0) LOOP
        PERFORM error_budget.record_rollup_failure(s, up_to, '22023',
            'weight must be >= 0, got ' || (SELECT min(r.min_weight) FROM pg_temp.error_budget_rollup_pending r WHERE r.slo_id = s.id));
        DELETE FROM pg_temp.error_budget_rollup_work w WHERE (w.slo).id = s.id;
    END LOOP;

    -- Redefined SLOs start over.
    DELETE FROM error_budget.rollup_series r USING pg_temp.error_budget_rollup_work w
    WHERE r.slo_id = (w.slo).id AND w.reset;
    -- The series written to stay (a concurrent deletion of their SLO waits for this),
    -- and the new ones.
    PERFORM FROM error_budget.rollup_series x JOIN pg_temp.error_budget_rollup_work w ON x.slo_id = (w.slo).id
    FOR KEY SHARE OF x;
    INSERT INTO error_budget.rollup_series (slo_id, dimensions)
    SELECT DISTINCT p.slo_id, p.dims FROM pg_temp.error_budget_rollup_pending p
    JOIN pg_temp.error_budget_rollup_work w ON (w.slo).id = p.slo_id
    WHERE NOT EXISTS (SELECT FROM error_budget.rollup_series x WHERE x.slo_id = p.slo_id AND x.dimensions = p.dims)
    ON CONFLICT ON CONSTRAINT rollup_series_once DO NOTHING;
    -- Running totals of the minutes re-aggregated: those before the range (one lookup
    -- per budget) plus the minutes' sums in order.
    INSERT INTO pg_temp.error_budget_rollup_computed
    WITH fresh AS (
        SELECT x.id AS series_id, p.minute, (w.slo).kind, (w.slo).weight IS NOT NULL AS weighted, w.from_minute,
               p.good, p.bad, p.good_weight, p.bad_weight, p.scoped, p.counted, p.units, p.amount,
               p.forgiven_events, p.forgiven_amount
        FROM pg_temp.error_budget_rollup_pending p
        JOIN pg_temp.error_budget_rollup_work w ON (w.slo).id = p.slo_id
        JOIN error_budget.rollup_series x ON x.slo_id = p.slo_id AND x.dimensions = p.dims
        -- a minute whose rows are all out of scope adds nothing
        WHERE coalesce(p.good + p.bad, p.scoped, p.units, 0) + p.forgiven_events > 0
    ), bases AS MATERIALIZED (
        -- one lookup per budget, not one per minute and column
        SELECT k.series_id, b.good, b.bad, b.good_weight, b.bad_weight, b.scoped, b.counted, b.units, b.amount,
               b.forgiven_events, b.forgiven_amount
        FROM (SELECT DISTINCT fresh.series_id, fresh.from_minute FROM fresh) AS k
        LEFT JOIN LATERAL (SELECT r.* FROM error_budget.rollups r WHERE r.series_id = k.series_id AND r.minute < k.from_minute
                           ORDER BY r.minute DESC LIMIT 1) AS b ON true
    )
    SELECT f.series_id, f.minute,
           CASE WHEN f.kind = 'ratio' THEN coalesce(z.good, 0) + sum(f.good) OVER run END,
           CASE WHEN f.kind = 'ratio' THEN coalesce(z.bad, 0) + sum(f.bad) OVER run END,
           CASE WHEN f.weighted THEN coalesce(z.good_weight, 0) + sum(coalesce(f.good_weight, 0)) OVER run END,
           CASE WHEN f.weighted THEN coalesce(z.bad_weight, 0) + sum(coalesce(f.bad_weight, 0)) OVER run END,
           CASE WHEN f.kind = 'count' THEN coalesce(z.scoped, 0) + sum(f.scoped) OVER run END,
           CASE WHEN f.kind = 'count' THEN coalesce(z.counted, 0) + sum(f.counted) OVER run END,
           CASE WHEN f.kind IN ('amount_per_unit', 'amount_cap') THEN coalesce(z.units, 0) + sum(f.units) OVER run END,
           CASE WHEN f.kind IN ('amount_per_unit', 'amount_cap') THEN coalesce(z.amount, 0) + sum(f.amount) OVER run END,
           coalesce(z.forgiven_events, 0) + sum(f.forgiven_events) OVER run,
           CASE WHEN f.kind IN ('amount_per_unit', 'amount_cap') THEN coalesce(z.forgiven_amount, 0) + sum(f.forgiven_amount) OVER run END
    FROM fresh f JOIN bases z ON z.series_id = f.series_id
    WINDOW run AS (PARTITION BY f.series_id ORDER BY f.minute);
    -- Only what changed is written. Re-aggregating the lateness horizon on every run
    -- mostly finds the rows already there: a rollup row of the range that the new
    -- totals do not repeat exactly goes, and the new rows not yet there come. (Per
    -- range with constants, so that it is an index range scan of the minutes
    -- re-aggregated, not a join over the whole table.)
    FOR grp IN SELECT array_agg((w.slo).id) AS ids, w.from_minute FROM pg_temp.error_budget_rollup_work w
               WHERE NOT w.reset GROUP BY w.from_minute LOOP
        DELETE FROM error_budget.rollups r USING error_budget.rollup_series x
        WHERE r.series_id = x.id AND x.slo_id = ANY (grp.ids) AND r.minute >= grp.from_minute
          AND NOT EXISTS (SELECT FROM pg_temp.error_budget_rollup_computed c
                          WHERE c.series_id = r.series_id AND c.minute = r.minute
                            AND (c.good, c.bad, c.good_weight, c.bad_weight, c.scoped, c.counted, c.units, c.amount,
                                 c.forgiven_events, c.forgiven_amount)
                                IS NOT DISTINCT FROM (r.good, r.bad, r.good_weight, r.bad_weight, r.scoped, r.counted,
                                                      r.units, r.amount, r.forgiven_events, r.forgiven_amount));
    END LOOP;
    INSERT INTO error_budget.rollups
    SELECT c.* FROM pg_temp.error_budget_rollup_computed c
    WHERE NOT EXISTS (SELECT FROM error_budget.rollups r WHERE r.series_id = c.series_id AND r.minute = c.minute);

    INSERT INTO error_budget.rollup_progress AS r (slo_id, rolled_up_to, kept_from, dirty_from, definition, refreshed_at)
    SELECT (w.slo).id, w.to_minute, w.from_minute, NULL, w.definition, pg_catalog.now() FROM pg_temp.error_budget_rollup_work w
    ON CONFLICT (slo_id) DO UPDATE
        SET rolled_up_to = EXCLUDED.rolled_up_to,
            kept_from = CASE WHEN EXCLUDED.definition <> r.definition THEN EXCLUDED.kept_from
                             ELSE least(r.kept_from, EXCLUDED.kept_from) END,
            dirty_from = NULL, definition = EXCLUDED.definition, refreshed_at = EXCLUDED.refreshed_at;

    RETURN QUERY
    SELECT (w.slo).name, w.from_minute, w.to_minute, coalesce(n.minutes, 0)
    FROM pg_temp.error_budget_rollup_work w
    LEFT JOIN (SELECT p.slo_id, count(*) AS minutes FROM pg_temp.error_budget_rollup_pending p GROUP BY p.slo_id) AS n
           ON n.slo_id = (w.slo).id
    ORDER BY (w.slo).name;
END $$;
COMMENT ON FUNCTION error_budget.refresh_slo_rollups(timestamptz, timestamptz, text[]) IS
    'The work of refresh_rollups(): per SLO alerts cover, re-aggregates from its rolled-up point minus error_budget.rollup_lateness (or from `since`, or from the first minute a changed planned burn covers) up to `up_to`; a new or redefined SLO over its span. Scans run with the owner''s rights; a failing SLO is recorded in compute_failures and the others are refreshed';

CREATE FUNCTION error_budget.refresh_rollups(up_to timestamptz DEFAULT pg_catalog.now())
    RETURNS TABLE (slo text, rolled_up_from timestamptz, rolled_up_to timestamptz, minutes bigint)
    LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM error_budget.refresh_slo_rollups(NULL, up_to, NULL)
$$;
COMMENT ON FUNCTION error_budget.refresh_rollups(timestamptz) IS
    'Rolls up the minutes not yet rolled up (whole minutes before up_to) of every enabled SLO alerts cover, and re-aggregates the last error_budget.rollup_lateness (default 10 minutes) so late rows are counted; one row per SLO refreshed: the minutes re-aggregated and how many minute rows its scan returned';

CREATE FUNCTION error_budget.refresh_rollups("from" timestamptz, "to" timestamptz)
    RETURNS TABLE (slo text, rolled_up_from timestamptz, rolled_up_to timestamptz, minutes bigint)
    LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM error_budget.refresh_slo_rollups("from", "to", NULL)
$$;
COMMENT ON FUNCTION error_budget.refresh_rollups(timestamptz, timestamptz) IS
    'Re-aggregates every minute from `from` on (rows that arrived later than the lateness horizon, a backfill) and rolls up to `to` (or to where the rollups already are, if later): the running totals after the range stay right';

-- Planned burns logged, changed or deleted after the fact: the minutes they cover
-- are re-aggregated by the next refresh.
CREATE FUNCTION error_budget.planned_burn_dirties_rollups() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    first_minute timestamptz := CASE TG_OP WHEN 'INSERT' THEN NEW.starts_at WHEN 'DELETE' THEN OLD.starts_at
                                          ELSE least(OLD.starts_at, NEW.starts_at) END;
    covered text[] := CASE TG_OP WHEN 'INSERT' THEN NEW.slos WHEN 'DELETE' THEN OLD.slos
                                 ELSE CASE WHEN OLD.slos IS NULL OR NEW.slos IS NULL THEN NULL ELSE OLD.slos || NEW.slos END END;
BEGIN
    UPDATE error_budget.rollup_progress r SET dirty_from = least(r.dirty_from, first_minute)
    FROM error_budget.slos s
    WHERE s.id = r.slo_id AND (covered IS NULL OR s.name = ANY (covered)) AND first_minute < r.rolled_up_to;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION error_budget.planned_burn_dirties_rollups() IS
    'Trigger function of planned_burns: marks the rollups of the SLOs a planned burn covers for re-aggregation from its start (SECURITY DEFINER: whoever may log a planned burn may mark rollups, and do nothing else)';
REVOKE ALL ON FUNCTION error_budget.planned_burn_dirties_rollups() FROM PUBLIC;
CREATE TRIGGER planned_burns_dirty_rollups AFTER INSERT OR UPDATE OR DELETE ON error_budget.planned_burns
    FOR EACH ROW EXECUTE FUNCTION error_budget.planned_burn_dirties_rollups();
COMMENT ON TRIGGER planned_burns_dirty_rollups ON error_budget.planned_burns IS
    'A planned burn changes the past: the rollups of the SLOs it covers are re-aggregated from its start by the next refresh';

-- ---------------------------------------------------------------------------
-- Reading: the totals of windows, and retention.
-- ---------------------------------------------------------------------------
-- The totals of each series of an SLO over the windows [window_end - length,
-- window_end) for the given lengths: the difference of two running-total rows.
CREATE FUNCTION error_budget.rollup_window_totals(slo_id bigint, window_end timestamptz, lengths interval[])
    RETURNS TABLE (series_id bigint, dimensions jsonb, length interval, good bigint, bad bigint, good_weight double precision,
                   bad_weight double precision, scoped bigint, counted bigint, units bigint, amount double precision,
                   forgiven_events bigint, forgiven_amount double precision)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
    SELECT x.id, x.dimensions, l.length,
           e.good - coalesce(s.good, 0), e.bad - coalesce(s.bad, 0),
           e.good_weight - coalesce(s.good_weight, 0), e.bad_weight - coalesce(s.bad_weight, 0),
           e.scoped - coalesce(s.scoped, 0), e.counted - coalesce(s.counted, 0),
           e.units - coalesce(s.units, 0), e.amount - coalesce(s.amount, 0),
           e.forgiven_events - coalesce(s.forgiven_events, 0), e.forgiven_amount - coalesce(s.forgiven_amount, 0)
    FROM error_budget.rollup_series x
    CROSS JOIN LATERAL (SELECT r.* FROM error_budget.rollups r
                        WHERE r.series_id = x.id AND r.minute < window_end ORDER BY r.minute DESC LIMIT 1) AS e
    CROSS JOIN unnest(lengths) AS l(length)
    LEFT JOIN LATERAL (SELECT r.* FROM error_budget.rollups r
                       WHERE r.series_id = x.id AND r.minute < window_end - l.length ORDER BY r.minute DESC LIMIT 1) AS s ON true
    WHERE x.slo_id = rollup_window_totals.slo_id
$$;
COMMENT ON FUNCTION error_budget.rollup_window_totals(bigint, timestamptz, interval[]) IS
    'The totals (as a scan measures them, planned burns excluded) of every budget of an SLO over windows [window_end - length, window_end), one row per budget and length: two index lookups in error_budget.rollups each. A budget without rows before window_end has none';

CREATE FUNCTION error_budget.prune_rollups(keep interval DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    deleted bigint;
BEGIN
    IF keep IS NOT NULL AND keep < interval '0' THEN
        RAISE EXCEPTION 'prune_rollups: keep must not be negative, got %', keep USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(7233431220150514);
    -- Per series, rows older than the cut go, except the last of them: it is the base
    -- a window starting after the cut subtracts.
    WITH cut AS (
        SELECT p.slo_id, p.rolled_up_to - greatest(coalesce(keep, interval '0'), error_budget.rollup_span(s, p.rolled_up_to)) AS before
        FROM error_budget.rollup_progress p JOIN error_budget.slos s ON s.id = p.slo_id
    ), gone AS (
        DELETE FROM error_budget.rollups r USING error_budget.rollup_series x, cut c
        WHERE r.series_id = x.id AND x.slo_id = c.slo_id AND r.minute < c.before
          AND r.minute < (SELECT max(o.minute) FROM error_budget.rollups o WHERE o.series_id = r.series_id AND o.minute < c.before)
        RETURNING 1
    )
    SELECT count(*) INTO deleted FROM gone;
    UPDATE error_budget.rollup_progress p
    SET kept_from = greatest(p.kept_from, p.rolled_up_to - greatest(coalesce(keep, interval '0'), error_budget.rollup_span(s, p.rolled_up_to)))
    FROM error_budget.slos s WHERE s.id = p.slo_id;
    RETURN deleted;
END $$;
COMMENT ON FUNCTION error_budget.prune_rollups(interval) IS
    'Deletes rollup rows older than each SLO''s longest alert window (or `keep`, if longer) before its rolled-up point, keeping per budget the last older row (the base of the windows that start after it); returns the rows deleted';
