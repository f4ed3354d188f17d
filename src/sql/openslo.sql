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
