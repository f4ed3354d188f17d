-- error_budget 0.9.0 -> 0.10.0: numeric amounts of SLOs whose owner may not use the
-- schema error_budget are summed by pg_catalog.sum (the same result). The scans run
-- as the SLO's owner; 0.9.0 named error_budget.exact_sum in them for every numeric
-- amount, and an owner with only SELECT on its table (one the 0.4.0 update gave an
-- SLO, a group role) failed with "permission denied for schema error_budget".
-- Integer amounts are summed by pg_catalog.sum, qualified. slo_expression_type's
-- comment states its owner rule (the function itself is the library's).
-- Sections between '-- ========' lines are copies of src/sql (made by
-- scripts/gen_upgrade_0.10.0.sh with scripts/upgrade_section.py).
\echo Use "ALTER EXTENSION error_budget UPDATE TO '0.10.0'" to load this file. \quit

-- ======== catalog.sql: amount_sum_function ========
CREATE OR REPLACE FUNCTION error_budget.amount_sum_function(slo error_budget.slos) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE error_budget.slo_expression_type(slo.source, slo.owner, slo.amount)
                WHEN 'pg_catalog.numeric'::regtype THEN
                    CASE WHEN pg_catalog.has_schema_privilege(slo.owner, 'error_budget', 'USAGE')
                              AND pg_catalog.has_function_privilege(slo.owner, 'error_budget.exact_sum(numeric)', 'EXECUTE')
                         THEN 'error_budget.exact_sum' ELSE 'pg_catalog.sum' END
                WHEN 'pg_catalog.int2'::regtype THEN 'pg_catalog.sum'
                WHEN 'pg_catalog.int4'::regtype THEN 'pg_catalog.sum'
                WHEN 'pg_catalog.int8'::regtype THEN 'pg_catalog.sum' END
$$;
COMMENT ON FUNCTION error_budget.amount_sum_function(error_budget.slos) IS
    'The aggregate the scans sum the SLO''s amount with: error_budget.exact_sum for numeric amounts (pg_catalog.sum, the same result, when the SLO''s owner may not use the schema error_budget: the scan runs as the owner), pg_catalog.sum for integer ones, NULL (no amount, or real or double precision: converted to double precision row by row)';


-- ======== catalog.sql: slo_expression_type's comment (its owner rule) ========
COMMENT ON FUNCTION error_budget.slo_expression_type(regclass, regrole, text) IS
    'The base type of an SLO expression over its source table, from parse analysis alone with the owner''s name resolution (nothing is executed); as another role than the caller''s (or one it is a member of) only for an expression an SLO of that owner over that table stores, 42501 otherwise';
