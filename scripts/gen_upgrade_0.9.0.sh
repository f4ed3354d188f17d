#!/usr/bin/env bash
# Regenerates extension/error_budget--0.8.0--0.9.0.sql from src/sql (its sections are
# copies; test/integration/upgrade.sh proves the result equals a fresh install).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
{
cat <<'HEAD'
-- error_budget 0.8.0 -> 0.9.0: numeric amounts summed by error_budget.exact_sum.
-- * New aggregate error_budget.exact_sum(numeric): the same result as sum(numeric),
--   to the last digit and display scale, summed in a 128-bit integer (numeric_add
--   only for values it cannot hold); about 3x cheaper per row.
-- * New error_budget.amount_sum_function(slo): which aggregate sums an SLO's amount;
--   slo_totals and baseline_scan_query use it (numeric amounts: exact_sum), and
--   amount_sums_exactly is derived from it (one parse analysis per SLO).
-- * (C) slo_expression_type analyses an expression as another role than the
--   caller's only when an SLO of that owner stores it (42501 otherwise).
-- * budget_current gets fillfactor 50: a transition updates its row on the same page
--   (HOT), without a new entry in its jsonb primary key. (Pages already full get the
--   free space as rows are rewritten; VACUUM FULL error_budget.budget_current makes
--   room at once.)
-- * compute_budgets finds the budgets that got no result by their identity as three
--   texts (vertical, name, scope), not as jsonb.
-- Sections between '-- ========' lines are copies of src/sql (made by
-- scripts/gen_upgrade_0.9.0.sh with scripts/upgrade_section.py).
\echo Use "ALTER EXTENSION error_budget UPDATE TO '0.9.0'" to load this file. \quit

-- ======== exact_sum.sql (new, whole file) ========
HEAD
cat src/sql/exact_sum.sql
echo
echo "-- ======== history.sql: budget_current's fillfactor ========"
echo "ALTER TABLE error_budget.budget_current SET (fillfactor = 50);"
echo
# a new function: CREATE, not CREATE OR REPLACE
python3 scripts/upgrade_section.py src/sql/catalog.sql amount_sum_function | sed 's/^CREATE OR REPLACE FUNCTION/CREATE FUNCTION/'
python3 scripts/upgrade_section.py src/sql/catalog.sql amount_sums_exactly
python3 scripts/upgrade_section.py src/sql/compute.sql slo_totals baseline_scan_query compute_budgets
} > extension/error_budget--0.8.0--0.9.0.sql
