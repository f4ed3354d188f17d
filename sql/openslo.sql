-- OpenSLO v1: import_openslo / export_openslo. An inline and a referenced SLI,
-- rolling and calendar windows, every budgeting method, exact round trips both ways
-- (document -> catalog -> document, and catalog -> document -> catalog), a changed
-- definition, and every unsupported field named.

\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
\i sql/include/error_of.sql
SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current CASCADE;
RESET client_min_messages;

CREATE TABLE os_calls AS
SELECT timestamptz '2026-11-01' + i * interval '1 minute' AS created_at, (ARRAY['sales', 'support'])[1 + i % 2] AS vertical,
       CASE WHEN i % 3 = 0 THEN 'high' ELSE 'low' END AS risk_tier, (i * 37 % 1000)::float8 AS latency_ms, i % 20 <> 0 AS ok
FROM generate_series(1, 20000) AS i;

-- An SLO with its SLI inline, as a user writes it.
CREATE TEMP TABLE doc1 AS SELECT $${
  "apiVersion": "openslo/v1",
  "kind": "SLO",
  "metadata": {"name": "fast-high-risk", "displayName": "Fast answers on high-risk calls", "labels": {"team": ["voice"]}},
  "spec": {
    "description": "First token within 800 ms on high-risk calls",
    "service": "voice-agent",
    "indicator": {
      "metadata": {"name": "fast-high-risk-sli"},
      "spec": {"ratioMetric": {
        "counter": false,
        "good":  {"metricSource": {"type": "PostgreSQL", "spec": {"condition": "latency_ms <= 800"}}},
        "total": {"metricSource": {"type": "PostgreSQL", "spec": {"table": "os_calls", "filter": "risk_tier = 'high'",
                                                                 "dimensions": ["vertical"]}}}}}
    },
    "timeWindow": [{"duration": "7d", "isRolling": true}],
    "budgetingMethod": "Occurrences",
    "objectives": [{"displayName": "p80 under 800 ms", "target": 0.8}]
  }
}$$::jsonb AS d;
SELECT name, source, kind, good, filter, target, dimensions, rolling_window, method, description
FROM error_budget.import_openslo((SELECT d FROM doc1));
-- document -> catalog -> document: exactly the document given.
SELECT error_budget.export_openslo('fast-high-risk') = (SELECT d FROM doc1) AS exact_round_trip;
SELECT name, vertical, round(remaining::numeric, 3) AS remaining, status
FROM error_budget.compute_budgets('2026-11-08', slos => '{fast-high-risk}') ORDER BY vertical;

-- An SLO and the SLI it names, together; a calendar month in Berlin; time slices.
SELECT name, calendar, time_zone, method, slice, slice_target, target
FROM error_budget.import_openslo($$[
  {"apiVersion": "openslo/v1", "kind": "SLI", "metadata": {"name": "ok-calls"},
   "spec": {"ratioMetric": {"good": {"metricSource": {"type": "PostgreSQL", "spec": {"condition": "ok"}}},
                            "total": {"metricSource": {"type": "PostgreSQL", "spec": {"table": "public.os_calls", "minEvents": 5}}}}}},
  {"apiVersion": "openslo/v1", "kind": "SLO", "metadata": {"name": "ok-monthly"},
   "spec": {"service": "voice-agent", "indicatorRef": "ok-calls",
            "timeWindow": [{"duration": "1M", "isRolling": false,
                            "calendar": {"startTime": "2026-01-01 00:00:00", "timeZone": "Europe/Berlin"}}],
            "budgetingMethod": "Timeslices",
            "objectives": [{"target": 0.99, "timeSliceTarget": 0.9, "timeSliceWindow": "5m"}]}}]$$);
SELECT jsonb_pretty(error_budget.export_openslo('ok-monthly') -> 'spec' -> 'indicator') AS inlined_indicator;

-- catalog -> document -> catalog: an SLO defined with define_slo, exported, imported
-- again (replace), is the same definition, and exports the same document.
SELECT name FROM error_budget.define_slo('weighted-ok', 'os_calls', 'ratio', good => 'ok', target => 0.95, dimensions => '{vertical}',
                                          weight => 'CASE risk_tier WHEN ''high'' THEN 10 ELSE 1 END', rolling_window => '36 hours',
                                          min_events => 3, time_zone => 'America/New_York');
SELECT name FROM error_budget.define_slo('sliced-ok', 'os_calls', 'ratio', good => 'ok', target => 0.95, calendar => 'week',
                                          method => 'RatioTimeslices', slice => '1 hour');
CREATE TEMP TABLE before AS SELECT name, error_budget.openslo_definition(s) AS def, error_budget.export_openslo(name) AS doc
FROM error_budget.slos s WHERE name IN ('weighted-ok', 'sliced-ok');
SELECT jsonb_pretty(doc) FROM before WHERE name = 'weighted-ok';
SELECT (SELECT array_agg(i.name ORDER BY i.name) FROM error_budget.import_openslo((SELECT jsonb_agg(doc) FROM before), replace => true) AS i) AS reimported;
SELECT b.name, b.def = error_budget.openslo_definition(s) AS same_definition, b.doc = error_budget.export_openslo(b.name) AS same_document
FROM before b JOIN error_budget.slos s USING (name) ORDER BY 1;

-- A definition changed after its import is exported from the catalog, with the
-- metadata, service and display names kept.
SELECT name FROM error_budget.define_slo('fast-high-risk', 'os_calls', 'ratio', good => 'latency_ms <= 900', target => 0.8,
                                          filter => 'risk_tier = ''high''', dimensions => '{vertical}', rolling_window => '7 days',
                                          description => 'First token within 900 ms on high-risk calls', replace => true);
SELECT e -> 'metadata' AS metadata, e -> 'spec' ->> 'service' AS service,
       e -> 'spec' -> 'indicator' -> 'spec' -> 'ratioMetric' -> 'good' -> 'metricSource' -> 'spec' ->> 'condition' AS condition,
       e -> 'spec' -> 'objectives' AS objectives
FROM error_budget.export_openslo('fast-high-risk') AS e;

-- Unsupported or wrong fields, named.
CREATE FUNCTION pg_temp.with_change(path text[], value jsonb) RETURNS jsonb LANGUAGE sql AS
    $$ SELECT jsonb_set(d || '{"metadata": {"name": "bad-one"}}', path, value) FROM doc1 $$;
SELECT pg_temp.error_of(format('SELECT error_budget.import_openslo(%L)', q)) FROM (VALUES
    (pg_temp.with_change('{spec,alertPolicies}', '["page"]')),
    (pg_temp.with_change('{metadata,namespace}', '"prod"')),
    (pg_temp.with_change('{apiVersion}', '"openslo/v2alpha"')),
    (pg_temp.with_change('{kind}', '"Service"')),
    (pg_temp.with_change('{spec,indicator,spec,ratioMetric,counter}', 'true')),
    (pg_temp.with_change('{spec,indicator,spec,ratioMetric,good,metricSource,type}', '"Prometheus"')),
    (pg_temp.with_change('{spec,indicator,spec,ratioMetric,total,metricSource,spec,query}', '"SELECT 1"')),
    (pg_temp.with_change('{spec,indicator,spec,thresholdMetric}', '{}')),
    (pg_temp.with_change('{spec,objectives}', '[{"target": 0.9}, {"target": 0.99}]')),
    (pg_temp.with_change('{spec,objectives,0,op}', '"lte"')),
    (pg_temp.with_change('{spec,objectives,0,target}', '"high"')),
    (pg_temp.with_change('{spec,timeWindow,0,duration}', '"1M"')),
    (pg_temp.with_change('{spec,timeWindow,0}', '{"duration": "30d", "isRolling": false, "calendar": {"startTime": "2026-01-01 00:00:00"}}')),
    (pg_temp.with_change('{spec,timeWindow,0}', '{"duration": "1M", "isRolling": false, "calendar": {"startTime": "2026-01-15 00:00:00"}}')),
    (pg_temp.with_change('{spec,timeWindow,0,duration}', '"seven days"')),
    (pg_temp.with_change('{spec,indicatorRef}', '"nope"')),
    (pg_temp.with_change('{spec,indicatorRef}', '"nope"') #- '{spec,indicator}'),
    (pg_temp.with_change('{spec,indicator,spec,ratioMetric,good,metricSource,spec,condition}', '"pg_sleep(1) IS NULL"')),
    ('{"apiVersion": "openslo/v1", "kind": "SLI", "metadata": {"name": "x"}, "spec": {}}'),
    ('"a string"')) AS t(q);
SELECT name FROM error_budget.define_slo('a-count', 'os_calls', 'count', event => 'NOT ok', max_events => 5);
SELECT pg_temp.error_of(q) FROM (VALUES
    ($$SELECT error_budget.export_openslo('nope')$$),
    ($$SELECT error_budget.export_openslo('a-count')$$)) AS t(q);
-- Nothing half-imported: an array whose second SLO is refused defines neither.
SELECT pg_temp.error_of(format('SELECT error_budget.import_openslo(%L)',
    jsonb_build_array(pg_temp.with_change('{metadata,name}', '"first-of-two"'), pg_temp.with_change('{spec,alertPolicies}', '[]'))));
SELECT count(*) AS first_of_two FROM error_budget.slos WHERE name = 'first-of-two';

-- A role without the define grant cannot import; with it, it can (and owns the SLO).
CREATE ROLE regress_os_reader;
CREATE ROLE regress_os_definer;
SELECT error_budget.grant_access('regress_os_reader', 'read'), error_budget.grant_access('regress_os_definer', 'define');
GRANT SELECT ON os_calls TO regress_os_definer;
SELECT pg_temp.with_change('{metadata,name}', '"readers-slo"') AS readers_doc,
       pg_temp.with_change('{metadata,name}', '"definers-slo"') AS definers_doc \gset
SET ROLE regress_os_reader;
SELECT pg_temp.error_of(format('SELECT error_budget.import_openslo(%L)', :'readers_doc'));
SET ROLE regress_os_definer;
SELECT name, owner FROM error_budget.import_openslo(:'definers_doc');
RESET ROLE;
SELECT error_budget.revoke_access('regress_os_reader'), error_budget.revoke_access('regress_os_definer');
SET client_min_messages = warning;
DELETE FROM error_budget.slos WHERE name = 'definers-slo';
REVOKE SELECT ON os_calls FROM regress_os_definer;
DROP ROLE regress_os_reader, regress_os_definer;

DROP TABLE os_calls CASCADE;
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.compute_failures RESTART IDENTITY CASCADE;
