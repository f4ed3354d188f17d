-- error_budget 0.8.0 -> 0.9.0: numeric amounts summed by error_budget.exact_sum.
-- * New aggregate error_budget.exact_sum(numeric): the same result as sum(numeric),
--   to the last digit and display scale, summed in a 128-bit integer (numeric_add
--   only for values it cannot hold); about 4x faster per row.
-- * New error_budget.amount_sum_function(slo): which aggregate sums an SLO's amount;
--   slo_totals and baseline_scan_query use it (numeric amounts: exact_sum).
-- * budget_current gets fillfactor 50: a transition updates its row on the same page
--   (HOT), without a new entry in its jsonb primary key. (Pages already full get the
--   free space as rows are rewritten; VACUUM FULL error_budget.budget_current makes
--   room at once.)
-- Sections between '-- ========' lines are copies of src/sql (made by
-- scripts/gen_upgrade_0.9.0.sh with scripts/upgrade_section.py).
\echo Use "ALTER EXTENSION error_budget UPDATE TO '0.9.0'" to load this file. \quit

-- ======== exact_sum.sql (new, whole file) ========
-- error_budget.exact_sum(numeric): sum(numeric) exactly, fast (src/pg/exact_sum_aggregate.cpp,
-- src/core/exact_decimal_sum.hpp). The budget scans sum numeric amounts with it: a
-- 128-bit integer at the largest display scale seen, numeric_add for what does not fit.
CREATE FUNCTION error_budget.exact_sum_add(internal, numeric) RETURNS internal
    AS 'MODULE_PATHNAME', 'exact_sum_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION error_budget.exact_sum_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'exact_sum_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION error_budget.exact_sum_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'exact_sum_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION error_budget.exact_sum_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'exact_sum_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION error_budget.exact_sum_final(internal) RETURNS numeric
    AS 'MODULE_PATHNAME', 'exact_sum_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE error_budget.exact_sum(numeric) (
    SFUNC = error_budget.exact_sum_add,
    STYPE = internal,
    SSPACE = 48,
    FINALFUNC = error_budget.exact_sum_final,
    COMBINEFUNC = error_budget.exact_sum_combine,
    SERIALFUNC = error_budget.exact_sum_serialize,
    DESERIALFUNC = error_budget.exact_sum_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE error_budget.exact_sum(numeric) IS
    'The sum of numeric values, the same as sum(numeric) to the last digit and display scale, several times faster (a 128-bit integer sum; numeric arithmetic only for values it cannot hold)';
COMMENT ON FUNCTION error_budget.exact_sum_add(internal, numeric) IS
    'Transition function of exact_sum: adds a value''s digits to the 128-bit sum (NULLs skipped)';
COMMENT ON FUNCTION error_budget.exact_sum_combine(internal, internal) IS
    'Combine function of exact_sum (parallel aggregation)';
COMMENT ON FUNCTION error_budget.exact_sum_serialize(internal) IS
    'Serializes an exact_sum state to bytea (parallel aggregation)';
COMMENT ON FUNCTION error_budget.exact_sum_deserialize(bytea, internal) IS
    'Deserializes an exact_sum state from bytea (parallel aggregation), validated';
COMMENT ON FUNCTION error_budget.exact_sum_final(internal) IS
    'Final function of exact_sum: the sum as numeric (NULL without values)';

-- ======== history.sql: budget_current's fillfactor ========
ALTER TABLE error_budget.budget_current SET (fillfactor = 50);

-- ======== catalog.sql: amount_sum_function ========
CREATE FUNCTION error_budget.amount_sum_function(slo error_budget.slos) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN NOT error_budget.amount_sums_exactly(slo) THEN NULL
                WHEN error_budget.slo_expression_type(slo.source, slo.owner, slo.amount) = 'pg_catalog.numeric'::regtype
                THEN 'error_budget.exact_sum' ELSE 'sum' END
$$;
COMMENT ON FUNCTION error_budget.amount_sum_function(error_budget.slos) IS
    'The aggregate the scans sum the SLO''s amount with: error_budget.exact_sum for numeric amounts, sum for integer ones, NULL when amounts are converted to double precision row by row';

-- ======== compute.sql: slo_totals ========
CREATE OR REPLACE FUNCTION error_budget.slo_totals(slo error_budget.slos, planned text, per_row_amounts boolean DEFAULT false)
    RETURNS TABLE (total text, expression text) LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    f text := coalesce('(' || slo.filter || ')', 'true');
    -- Rows kept in the budget, and rows forgiven by planned burns (none: constant 0,
    -- so that the scan does no work for them).
    kept text := CASE WHEN planned = 'false' THEN f ELSE format('%s AND NOT %s', f, planned) END;
    forgiven text := format('%s AND %s', f, planned);
    none boolean := planned = 'false';
    g text := '(' || slo.good || ')';
    w text := format('(%s)::pg_catalog.float8', slo.weight);
    exact_sum text := CASE WHEN NOT per_row_amounts AND slo.kind IN ('amount_per_unit', 'cost_band', 'amount_cap')
                           THEN error_budget.amount_sum_function(slo) END;
    amount_sum text := CASE WHEN exact_sum IS NOT NULL
                            THEN 'coalesce(' || exact_sum || '((%s)) FILTER (WHERE %s), 0)::pg_catalog.float8'
                            ELSE 'coalesce(sum((%s)::pg_catalog.float8) FILTER (WHERE %s), 0)' END;
BEGIN
    IF slo.kind = 'ratio' THEN
        RETURN QUERY VALUES ('good', format('count(*) FILTER (WHERE %s AND %s)', kept, g)),
                            ('bad', format('count(*) FILTER (WHERE %s AND NOT %s)', kept, g)),
                            ('forgiven_events', CASE WHEN none THEN '0'
                                                     ELSE format('count(*) FILTER (WHERE %s AND %s IS NOT NULL)', forgiven, g) END);
        IF slo.weight IS NOT NULL THEN
            RETURN QUERY VALUES ('good_weight', format('sum(%s) FILTER (WHERE %s AND %s)', w, kept, g)),
                                ('bad_weight', format('sum(%s) FILTER (WHERE %s AND NOT %s)', w, kept, g)),
                                ('min_weight', format('min(%s) FILTER (WHERE %s AND %s IS NOT NULL)', w, kept, g));
        END IF;
    ELSIF slo.kind = 'count' THEN
        RETURN QUERY VALUES ('scoped', format('count(*) FILTER (WHERE %s)', kept)),
                            ('counted', format('count(*) FILTER (WHERE %s AND (%s))', kept, slo.event)),
                            ('forgiven_events', CASE WHEN none THEN '0'
                                                     ELSE format('count(*) FILTER (WHERE %s AND (%s))', forgiven, slo.event) END);
    ELSE
        RETURN QUERY VALUES ('units', format('count(*) FILTER (WHERE %s AND %s)', kept, coalesce('(' || slo.unit || ')', 'true'))),
                            ('amount', format(amount_sum, slo.amount, kept)),
                            ('forgiven_amount', CASE WHEN none THEN '0' ELSE format(amount_sum, slo.amount, forgiven) END),
                            ('forgiven_events', CASE WHEN none THEN '0' ELSE format('count(*) FILTER (WHERE %s)', forgiven) END);
    END IF;
END $$;
COMMENT ON FUNCTION error_budget.slo_totals(error_budget.slos, text, boolean) IS
    'The named totals (and their aggregate expressions) an Occurrences SLO contributes to the grouped scan of its table and window; numeric and integer amounts summed in their own type unless per_row_amounts';

-- ======== compute.sql: baseline_scan_query ========
CREATE OR REPLACE FUNCTION error_budget.baseline_scan_query(slo error_budget.slos, baseline_start timestamptz, baseline_end timestamptz)
    RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    dim_list text := (SELECT string_agg(format('%I', d), ', ') FROM unnest(slo.dimensions) AS d);
    dims_json text := error_budget.dimensions_json(slo.dimensions);
    f text := coalesce('(' || slo.filter || ')', 'true');
BEGIN
    RETURN format(
        'SELECT m.* FROM (
             SELECT dims, pg_catalog.array_agg(spend ORDER BY day) AS series
             FROM (SELECT %1$s AS dims, pg_catalog.floor(pg_catalog.date_part(''epoch'', %2$I - %11$s) / 86400)::int AS day,
                          %13$s AS spend
                   FROM %4$s WHERE %2$I >= %11$s AND %2$I < %12$s AND %5$s AND NOT %6$s
                   GROUP BY %7$s) AS daily
             RIGHT JOIN (SELECT keys.dims, day FROM (SELECT DISTINCT %1$s AS dims FROM %4$s
                                                     WHERE %2$I >= %11$s AND %2$I < %12$s AND %5$s) AS keys,
                                                    pg_catalog.generate_series(0, %9$s - 1) AS day) AS grid USING (dims, day)
             GROUP BY dims) AS r
         CROSS JOIN LATERAL (VALUES %8$s) AS m(%10$s)',
        dims_json, slo.time_column, slo.amount, slo.source, f,
        error_budget.slo_planned_predicate(slo, baseline_start, baseline_end),
        concat_ws(', ', dim_list, '2'), error_budget.scan_totals_row(slo.id, 'r.dims', 0, '{}', ', r.series'),
        slo.baseline_days, error_budget.scan_totals_columns(),
        error_budget.slo_time_bound(slo, '$1'), error_budget.slo_time_bound(slo, '$2'),
        CASE WHEN error_budget.amount_sum_function(slo) IS NOT NULL
             THEN format('%s((%s))::pg_catalog.float8', error_budget.amount_sum_function(slo), slo.amount)
             ELSE format('sum((%s)::pg_catalog.float8)', slo.amount) END);
END $$;
COMMENT ON FUNCTION error_budget.baseline_scan_query(error_budget.slos, timestamptz, timestamptz) IS
    'SQL of the daily spend of a cost_band SLO over its baseline days ($1, $2); rows of error_budget.scan_totals with series (spend per day, NULL without rows)';

