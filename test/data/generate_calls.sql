-- test/data/generate_calls.sql: a reproducible generator of AI agent call records
-- (DESIGN.md §7) with four named incidents, for the demo, benchmarks and tests.
--
--   psql -d mydb -f test/data/generate_calls.sql
--   CREATE TABLE calls AS SELECT * FROM eb_demo.generate_calls(0, 28, 40000);
--
-- (PostgreSQL drops type modifiers from function results: CREATE TABLE AS gives
-- cost_usd numeric and failure_class bpchar; scripts/demo.sh declares the table with
-- numeric(12,6) and char(1) and INSERTs into it. The values are already rounded.)
--
-- Plain SQL, safe to run again (it replaces the function). Every pseudo-random
-- number comes from hashint8extended(id, seed * 1000 + k): the same arguments give
-- the same rows on any machine, in any plan order, in any chunking of the days,
-- without random()/setseed(). The function is a single SQL SELECT marked
-- IMMUTABLE, so the planner inlines it into the caller's query (no tuplestore).
--
-- Shape (baselines, before incidents):
--   verticals   healthcare 34%, real_estate 26%, sales 28%, after_hours 12% of calls;
--               22 / 18 / 20 / 16 tenants ('healthcare-t07'), a few heavy ones;
--               four workflow/action pairs each, risk tier low/medium/high.
--   daily cycle calls_per_day calls per day, dense ids (id = day*calls_per_day + n + 1),
--               times following an hourly profile per vertical: US business hours
--               (13:00-01:00 UTC) for healthcare, real_estate, sales; night for after_hours.
--   ok          97% (failed when unavailable);     available 99.95%
--   first_token_ms  lognormal, median 430-460 ms, p99 under 800 ms; NULL when unavailable
--   intent_score    sampled on 20% of the available calls (NULL otherwise), >= 0.8 in 97%
--   cost_usd        lognormal around 0.025-0.06 per call by vertical
--   failure_class   NULL when ok, else A (cheap miss) .. D (irreversible): C on 0.15% of the
--                   failed high-risk and 0.05% of the failed medium-risk actions, D on 0.05%
--                   of the failed high-risk ones only (with the defaults: C 5 times in
--                   healthcare, twice in real_estate and sales, never after hours; D once,
--                   healthcare on day 24 at 16:09); cleanup_minutes 0 unless it failed.
--
-- Incidents (days counted from origin, day 0 = origin; [a, b) = from the start of day a
-- to the start of day b):
--   (a) healthcare prompt regression, days [20, 25): intent_score >= 0.8 falls from 97%
--       to 85% of the sampled calls and ok from 97% to 95%.
--   (b) real_estate latency tail, days [21, 28): 4% of the calls hit a slow path with
--       first_token_ms x2.2-5.2 (p99 far above 800 ms); 45% of those callers hang up (not ok).
--   (c) sales restart storm on day 25, 14:02-15:15 UTC: four bursts of 5, 6, 4 and
--       5 minutes (20 minutes) in which 70% of the calls find no service (available and
--       ok false).
--   (d) after_hours token-cost spike, days [19, 24): cost_usd x4.
--
-- With the defaults (seed 42, 40,000 calls a day, days [0, 28)), the rolling 7 days
-- [21, 28) end with: healthcare conv_success 0.175 remaining (blocks deploys, < 25%),
-- real_estate conv_success 0.073 (escalates, < 10%), healthcare quality -0.99,
-- real_estate latency -3.3 and sales availability -2.8 (overspent), everything else
-- above 0.25. Other calls_per_day values move these by a few hundredths.

CREATE SCHEMA IF NOT EXISTS eb_demo;
COMMENT ON SCHEMA eb_demo IS 'Demo data for error_budget: the reproducible call-record generator';

CREATE OR REPLACE FUNCTION eb_demo.generate_calls(
    first_day integer,
    last_day integer,
    calls_per_day integer,
    seed integer DEFAULT 42,
    origin timestamptz DEFAULT '2026-10-01 00:00+00')
RETURNS TABLE(id bigint, created_at timestamptz, vertical text, tenant text, workflow text,
              action text, risk_tier text, ok boolean, available boolean,
              first_token_ms double precision, intent_score double precision,
              cost_usd numeric(12,6), cleanup_minutes double precision,
              failure_class char(1))
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
-- Each step ends in OFFSET 0, a planner fence: without it the planner would paste
-- every expression into each place that uses it and compute the hashes many times.
WITH
-- One row per call: its day, its number n within the day, and 8 hashes of (seed, id).
calls AS (
    SELECT d.day, s.n, i.id,
           hashint8extended(i.id, seed::bigint * 1000 + 1) AS h1,
           hashint8extended(i.id, seed::bigint * 1000 + 2) AS h2,
           hashint8extended(i.id, seed::bigint * 1000 + 3) AS h3,
           hashint8extended(i.id, seed::bigint * 1000 + 4) AS h4,
           hashint8extended(i.id, seed::bigint * 1000 + 5) AS h5,
           hashint8extended(i.id, seed::bigint * 1000 + 6) AS h6,
           hashint8extended(i.id, seed::bigint * 1000 + 7) AS h7,
           hashint8extended(i.id, seed::bigint * 1000 + 8) AS h8
    FROM generate_series(first_day, last_day - 1) AS d(day)
    CROSS JOIN generate_series(0, calls_per_day - 1) AS s(n)
    CROSS JOIN LATERAL (SELECT d.day::bigint * calls_per_day + s.n + 1 AS id) AS i
    OFFSET 0
),
-- Each hash gives two independent uniforms in (0, 1) from its two 32-bit halves.
uniforms AS (
    SELECT day, n, id,
           ((h1 & 4294967295)::float8 + 0.5) / 4294967296 AS u_time,
           (((h1 >> 32) & 4294967295)::float8 + 0.5) / 4294967296 AS u_vertical,
           ((h2 & 4294967295)::float8 + 0.5) / 4294967296 AS u_tenant,
           (((h2 >> 32) & 4294967295)::float8 + 0.5) / 4294967296 AS u_workflow,
           ((h3 & 4294967295)::float8 + 0.5) / 4294967296 AS u_ok,
           (((h3 >> 32) & 4294967295)::float8 + 0.5) / 4294967296 AS u_available,
           ((h4 & 4294967295)::float8 + 0.5) / 4294967296 AS u_normal1,
           (((h4 >> 32) & 4294967295)::float8 + 0.5) / 4294967296 AS u_normal2,
           ((h5 & 4294967295)::float8 + 0.5) / 4294967296 AS u_tail,
           (((h5 >> 32) & 4294967295)::float8 + 0.5) / 4294967296 AS u_tail_factor,
           ((h6 & 4294967295)::float8 + 0.5) / 4294967296 AS u_sampled,
           (((h6 >> 32) & 4294967295)::float8 + 0.5) / 4294967296 AS u_intent,
           ((h7 & 4294967295)::float8 + 0.5) / 4294967296 AS u_intent_good,
           (((h7 >> 32) & 4294967295)::float8 + 0.5) / 4294967296 AS u_failure,
           ((h8 & 4294967295)::float8 + 0.5) / 4294967296 AS u_cleanup
    FROM calls
    OFFSET 0
),
-- Vertical v (1..4), workflow slot w (1..4), tenant number, and two standard normals
-- (Box-Muller): z1 for latency, z2 for cost.
picks AS (
    SELECT day, n, id, u_time, u_ok, u_available, u_tail, u_tail_factor, u_sampled,
           u_intent, u_intent_good, u_failure, u_cleanup,
           CASE WHEN u_vertical < 0.34 THEN 1      -- healthcare
                WHEN u_vertical < 0.60 THEN 2      -- real_estate
                WHEN u_vertical < 0.88 THEN 3      -- sales
                ELSE 4 END AS v,                   -- after_hours
           CASE WHEN u_workflow < 0.45 THEN 1 WHEN u_workflow < 0.75 THEN 2
                WHEN u_workflow < 0.92 THEN 3 ELSE 4 END AS w,
           u_tenant,
           sqrt(-2 * ln(u_normal1)) * cos(2 * pi() * u_normal2) AS z1,
           sqrt(-2 * ln(u_normal1)) * sin(2 * pi() * u_normal2) AS z2
    FROM uniforms
    OFFSET 0
),
-- Hourly call volume (UTC) of each vertical, relative weights: US clinics and sales
-- teams work 13:00-01:00 UTC, real estate leans into the evening, after_hours takes
-- the night. cum holds, for vertical v and hour h (slot 24(v-1)+h+1), (v-1) plus the
-- share of v's calls before the end of hour h: the inverse CDF below maps a uniform x
-- to a time of day distributed like these weights.
profile AS (
    SELECT array_agg(c ORDER BY slot) AS cum
    FROM (SELECT 0::bigint AS slot, 0::float8 AS c
          UNION ALL
          SELECT slot, (slot - 1) / 24
                       + sum(wt) OVER (PARTITION BY (slot - 1) / 24 ORDER BY slot)::float8
                         / sum(wt) OVER (PARTITION BY (slot - 1) / 24)
          FROM unnest(ARRAY[
              -- hour: 0   1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16  17  18  19  20  21  22  23
                       4,  3,  2,  1,  1,  1,  1,  1,  1,  2,  3,  5,  8, 11, 13, 14, 14, 13, 13, 12, 11,  9,  7,  5,  -- healthcare
                       6,  5,  3,  2,  1,  1,  1,  1,  1,  1,  2,  3,  5,  8, 10, 11, 12, 12, 12, 12, 12, 11,  9,  8,  -- real_estate
                       3,  2,  1,  1,  1,  1,  1,  1,  1,  1,  2,  4,  8, 12, 15, 15, 14, 13, 14, 13, 11,  8,  6,  4,  -- sales
                      12, 13, 13, 12, 11,  9,  7,  6,  5,  5,  5,  4,  3,  2,  2,  2,  2,  2,  2,  2,  3,  5,  8, 10   -- after_hours
              ]) WITH ORDINALITY AS p(wt, slot)) AS s
),
-- Time of day tod in [0, 1): x = (n + jitter) / calls_per_day spreads the day's calls
-- evenly over [0, 1); width_bucket finds the hour whose share of v's calls holds x,
-- and x is placed linearly inside that hour.
timed AS (
    SELECT q.*,
           ((k - 1) % 24 + (xv - cum[k]) / (cum[k + 1] - cum[k])) / 24 AS tod
    FROM (SELECT picks.*, xv, width_bucket(xv, cum) AS k, cum
          FROM picks
          CROSS JOIN profile
          CROSS JOIN LATERAL (SELECT (v - 1) + (n + u_time) / calls_per_day AS xv) AS x) AS q
    OFFSET 0
),
-- Incident flags and the outcome of each call.
outcomes AS (
    SELECT t.*,
           -- (b) real_estate latency tail, days [21, 28)
           (v = 2 AND day + tod >= 21 AND day + tod < 28 AND u_tail < 0.04) AS slow_path,
           -- (c) sales restart storm, day 25: bursts 14:02-14:07, 14:19-14:25,
           --     14:40-14:44, 15:10-15:15 UTC
           u_available >= CASE
               WHEN v = 3 AND day = 25
                    AND (tod * 1440 >= 842 AND tod * 1440 < 847
                         OR tod * 1440 >= 859 AND tod * 1440 < 865
                         OR tod * 1440 >= 880 AND tod * 1440 < 884
                         OR tod * 1440 >= 910 AND tod * 1440 < 915)
               THEN 0.70 ELSE 0.0005 END AS is_available
    FROM timed AS t
    OFFSET 0
),
results AS (
    SELECT o.*,
           is_available AND u_ok >= CASE
               -- (a) healthcare prompt regression, days [20, 25)
               WHEN v = 1 AND day + tod >= 20 AND day + tod < 25 THEN 0.05
               -- (b) callers hang up on the slow path
               WHEN slow_path THEN 0.45
               ELSE 0.03 END AS is_ok,
           (ARRAY['low', 'low', 'medium', 'high',       -- healthcare
                  'low', 'low', 'medium', 'high',       -- real_estate
                  'low', 'low', 'medium', 'high',       -- sales
                  'low', 'low', 'medium', 'high'])[(v - 1) * 4 + w] AS tier
    FROM outcomes AS o
    OFFSET 0
),
classified AS (
    SELECT r.*,
           CASE WHEN is_ok THEN NULL
                -- C (costly cleanup) a few times a month per vertical, on high- and
                -- medium-risk actions; D (irreversible) only on high-risk ones, once a
                -- month in all (at 40,000 calls a day: in healthcare).
                WHEN tier = 'high' THEN
                    CASE WHEN u_failure < 0.45 THEN 'A' WHEN u_failure < 0.99800 THEN 'B'
                         WHEN u_failure < 0.99950 THEN 'C' ELSE 'D' END
                WHEN tier = 'medium' THEN
                    CASE WHEN u_failure < 0.55 THEN 'A' WHEN u_failure < 0.9995 THEN 'B' ELSE 'C' END
                ELSE
                    CASE WHEN u_failure < 0.65 THEN 'A' ELSE 'B' END
           END AS fclass
    FROM results AS r
    OFFSET 0
)
SELECT
    id,
    to_timestamp(extract(epoch FROM origin - timestamptz '1970-01-01 00:00+00')
                 + day::float8 * 86400 + least(round(tod * 86400000), 86399999) / 1000)
        AS created_at,
    (ARRAY['healthcare', 'real_estate', 'sales', 'after_hours'])[v] AS vertical,
    (ARRAY['healthcare', 'real_estate', 'sales', 'after_hours'])[v] || '-t'
        || lpad((1 + floor((ARRAY[22, 18, 20, 16])[v] * power(u_tenant, 1.7)))::int::text,
                2, '0') AS tenant,
    (ARRAY['appointment_booking', 'appointment_booking', 'prescription_refill', 'symptom_triage',
           'lead_qualification', 'showing_scheduler', 'listing_inquiry', 'offer_intake',
           'inbound_demo', 'outbound_followup', 'pricing_quote', 'contract_change',
           'message_taking', 'callback_batch', 'billing_question', 'emergency_dispatch'
          ])[(v - 1) * 4 + w] AS workflow,
    (ARRAY['book_appointment', 'reschedule', 'request_refill', 'route_to_nurse',
           'qualify_lead', 'book_showing', 'quote_price', 'capture_offer',
           'book_demo', 'follow_up', 'quote_price', 'update_contract',
           'take_message', 'schedule_callback', 'answer_billing', 'page_on_call'
          ])[(v - 1) * 4 + w] AS action,
    tier AS risk_tier,
    is_ok AS ok,
    is_available AS available,
    CASE WHEN is_available THEN
        round(10 * (ARRAY[440, 460, 430, 450])[v]
                 * exp((ARRAY[0.21, 0.22, 0.21, 0.21])[v]::float8 * z1)
                 * CASE WHEN slow_path THEN 2.2 + 3 * u_tail_factor ELSE 1 END) / 10
    END AS first_token_ms,
    CASE WHEN is_available AND u_sampled < 0.20 THEN
        CASE WHEN u_intent_good < CASE WHEN v = 1 AND day + tod >= 20 AND day + tod < 25
                                       THEN 0.85 ELSE 0.97 END  -- (a)
             THEN round(1000 * (0.8 + 0.2 * sqrt(u_intent))) / 1000
             ELSE round(1000 * (0.3 + 0.49 * u_intent)) / 1000 END
    END AS intent_score,
    ((ARRAY[0.035, 0.030, 0.025, 0.060])[v]::float8 * exp(0.3 * z2)
        * CASE WHEN v = 4 AND day + tod >= 19 AND day + tod < 24 THEN 4 ELSE 1 END  -- (d)
    )::numeric(12,6) AS cost_usd,
    CASE fclass WHEN 'A' THEN round(20 * u_cleanup) / 10
                WHEN 'B' THEN round(20 + 80 * u_cleanup) / 10
                WHEN 'C' THEN round(100 + 200 * u_cleanup) / 10
                WHEN 'D' THEN round(300 + 900 * u_cleanup) / 10
                ELSE 0 END AS cleanup_minutes,
    fclass::char(1) AS failure_class
FROM classified
$fn$;

COMMENT ON FUNCTION eb_demo.generate_calls(integer, integer, integer, integer, timestamptz) IS
    'Reproducible AI agent call records (DESIGN.md §7) for days [first_day, last_day) after origin, calls_per_day a day over a daily cycle, ids day*calls_per_day + n + 1; pseudo-random values are hashes of (seed, id), so any chunking gives the same rows. Incidents: healthcare prompt regression days [20,25), real_estate latency tail [21,28), sales restart storm day 25 14:02-15:15 UTC, after_hours token-cost spike x4 [19,24)';
