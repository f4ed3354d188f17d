-- Predefined responses: transitions start and end them, two budgets overlap on one
-- workflow, recovery ends one and keeps the other, a zero-tolerance class disables on
-- its first event, a backfill changes nothing, the NOTIFY payload names them.

\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
\i sql/include/error_of.sql
SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.responses, error_budget.response_log CASCADE;
RESET client_min_messages;

-- Two workflows, a call every 10 minutes each, all good at first.
CREATE TABLE rs_calls (created_at timestamptz, workflow text, ok boolean, accurate boolean, failure text);
INSERT INTO rs_calls SELECT timestamptz '2026-11-01' + i * interval '10 minutes', (ARRAY['sms', 'email'])[1 + i % 2], true, true, 'A'
FROM generate_series(0, 4000) AS i;
SELECT count(*) FROM (
    SELECT error_budget.define_slo('rs_conv', 'rs_calls', 'ratio', good => 'ok', target => 0.9, dimensions => '{workflow}')
    UNION ALL SELECT error_budget.define_slo('rs_quality', 'rs_calls', 'ratio', good => 'accurate', target => 0.9, dimensions => '{workflow}')
    UNION ALL SELECT error_budget.define_slo('rs_class_d', 'rs_calls', 'count', event => 'failure = ''D''', max_events => 0,
                                             dimensions => '{workflow}')) AS d;
INSERT INTO error_budget.responses (slo, at_status, action, applies_to, instruction) VALUES
    ('rs_conv', 'blocked', 'tighten', '{}', 'narrow eligible cases to low-risk intents'),
    ('rs_conv', 'escalated', 'draft_only', '{}', 'send nothing: drafts for human review'),
    ('rs_quality', 'blocked', 'draft_only', '{}', 'send nothing: drafts for human review'),
    ('rs_quality', 'exhausted', 'page', '{"team": "ml-oncall"}', 'page the ML on-call: quality budget spent'),
    ('rs_class_d', 'exhausted', 'disable', '{}', 'disable the workflow until the root cause is fixed');
SELECT count(*) AS snapshots FROM error_budget.compute_budgets('2026-11-08');
SELECT count(*) AS active FROM error_budget.active_responses;

-- Day 8: sms fails conversations and accuracy (both escalated); an email call is class D.
UPDATE rs_calls SET ok = false WHERE workflow = 'sms' AND created_at >= '2026-11-08' AND created_at < '2026-11-09'
                                 AND extract(minute FROM created_at) < 30;
UPDATE rs_calls SET accurate = false WHERE workflow = 'sms' AND created_at >= '2026-11-08' AND created_at < '2026-11-09'
                                       AND extract(minute FROM created_at) < 30;
UPDATE rs_calls SET failure = 'D' WHERE created_at = '2026-11-08 12:10+00';
SELECT name, scope, status, round(remaining::numeric, 3) AS remaining FROM error_budget.compute_budgets('2026-11-10') ORDER BY 1, 2;
SELECT applies_to, action, slo, status, since FROM error_budget.active_responses ORDER BY applies_to::text, action, slo;
-- The transitions name the responses they started (so does their NOTIFY payload).
SELECT name, from_status, to_status, jsonb_array_length(responses -> 'started') AS started,
       error_budget.budget_event_payload(e)::jsonb -> 'responses' = responses AS in_payload
FROM error_budget.budget_events e WHERE responses IS NOT NULL ORDER BY id;
-- A backfill behind the latest snapshots starts and ends nothing.
SELECT count(*) FROM error_budget.compute_budgets('2026-11-09');
SELECT count(*) AS active, count(*) FILTER (WHERE since = '2026-11-10') AS since_day_10 FROM error_budget.active_responses;

-- Day 17: the incident left the 7-day window; accuracy fails again on sms only.
UPDATE rs_calls SET accurate = false WHERE workflow = 'sms' AND created_at >= '2026-11-16' AND created_at < '2026-11-17'
                                       AND extract(minute FROM created_at) < 40;
SELECT name, scope, status FROM error_budget.compute_budgets('2026-11-17') ORDER BY 1, 2;
-- Conversations recovered: tighten and conv's draft_only ended; quality's draft_only goes on.
SELECT applies_to, action, slo, since FROM error_budget.active_responses ORDER BY applies_to::text, action, slo;
SELECT r.slo, r.action, l.started_at, l.ended_at FROM error_budget.response_log l JOIN error_budget.responses r ON r.id = l.response_id
ORDER BY l.id;
SELECT name, to_status, responses -> 'ended' -> 0 ->> 'action' AS ended FROM error_budget.budget_events
WHERE responses ? 'ended' ORDER BY id;

-- Bad input.
SELECT statement, pg_temp.error_of(statement) FROM (VALUES
    ('INSERT INTO error_budget.responses (slo, action, instruction) VALUES (''rs_cnov'', ''pause'', ''x'')'),
    ('INSERT INTO error_budget.responses (slo, action, instruction) VALUES (''rs_conv'', ''reboot'', ''x'')'),
    ('INSERT INTO error_budget.responses (slo, at_status, action, instruction) VALUES (''rs_conv'', ''ok'', ''pause'', ''x'')'),
    ('INSERT INTO error_budget.responses (slo, action, instruction) VALUES (''rs_conv'', ''pause'', '' '')'),
    ('INSERT INTO error_budget.responses (slo, action, instruction, applies_to) VALUES (''rs_conv'', ''pause'', ''x'', ''[1]'')')
) AS t(statement);

SET client_min_messages = warning;
TRUNCATE error_budget.slos, error_budget.error_budgets, error_budget.budget_events, error_budget.budget_current,
         error_budget.responses, error_budget.response_log RESTART IDENTITY CASCADE;
RESET client_min_messages;
DROP TABLE rs_calls;
