#!/usr/bin/env bash
# Regenerates extension/error_budget--0.9.0--0.10.0.sql from src/sql (its sections are
# copies; test/integration/upgrade.sh proves the result equals a fresh install).
# Written to a temporary file first: a failure halfway never leaves half a script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=extension/error_budget--0.9.0--0.10.0.sql
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
cat <<'HEAD'
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

HEAD
python3 scripts/upgrade_section.py src/sql/catalog.sql amount_sum_function
echo
echo "-- ======== catalog.sql: slo_expression_type's comment (its owner rule) ========"
python3 - <<'PY'
import re
source = open("src/sql/catalog.sql").read()
print(re.search(r"^COMMENT ON FUNCTION error_budget\.slo_expression_type\(.*?';$", source, re.M | re.S).group(0))
PY
} > "$tmp"
mv "$tmp" "$out"
trap - EXIT
