// The error_budget dashboard for Grafana's built-in PostgreSQL data source, typed
// with Grafana's own dashboard model (@grafana/schema): `npm run build` writes it to
// error_budget.json, which Grafana provisions (provisioning/). Every panel reads
// the extension's views and tables through the data source's role, so row-level
// security (tenants) applies; the exhaustion forecast runs daily scans and reads
// through a second data source whose role has the compute grant (README).
import type { Dashboard, DataSourceRef, Panel, VariableModel } from '@grafana/schema';
import { FieldColorModeId, ThresholdsMode, VariableHide, VariableRefresh, VariableSort } from '@grafana/schema';

export const READ: DataSourceRef = { type: 'grafana-postgresql-datasource', uid: 'error_budget' };
export const FORECAST: DataSourceRef = { type: 'grafana-postgresql-datasource', uid: 'error_budget_forecast' };

type Format = 'table' | 'time_series';

function sql(rawSql: string, format: Format, datasource: DataSourceRef = READ): Record<string, unknown> {
  return { refId: 'A', datasource, editorMode: 'code', format, rawQuery: true, rawSql: rawSql.trim() };
}

// The template variables every query filters on: $vertical, $slo, $tenant.
const FILTER = (alias: string) =>
  `${alias}.vertical IN ($vertical) AND ${alias}.name IN ($slo) AND coalesce(${alias}.dimensions ->> 'tenant', '-') IN ($tenant)`;
const BUDGET_LABEL = (alias: string) =>
  `${alias}.name || ' ' || ${alias}.vertical || CASE WHEN ${alias}.scope <> '' THEN ' ' || ${alias}.scope ELSE '' END`;

function variable(name: string, label: string, query: string): VariableModel {
  return {
    name, label, type: 'query', datasource: READ, query,
    multi: true, includeAll: true, refresh: VariableRefresh.onTimeRangeChanged, sort: VariableSort.alphabeticalAsc,
    hide: VariableHide.dontHide, current: { text: 'All', value: '$__all' }, options: [],
  };
}

// Status colours of the budget: exhausted/escalated under 10%, blocked under 25%.
const BUDGET_THRESHOLDS = {
  mode: ThresholdsMode.Absolute,
  steps: [
    { color: 'red', value: null as unknown as number },
    { color: 'orange', value: 0.1 },
    { color: 'green', value: 0.25 },
  ],
};

// One column of the snapshots per budget over time (time series).
const snapshotsOverTime = (column: 'remaining' | 'burn') => sql(`
SELECT $__timeGroupAlias(b.computed_at, $__interval), ${BUDGET_LABEL('b')} AS metric, avg(b.${column}) AS ${column}
FROM error_budget.error_budgets b
WHERE $__timeFilter(b.computed_at) AND ${FILTER('b')}
GROUP BY 1, 2
ORDER BY 1, 2`, 'time_series');

let nextId = 1;
function panel(type: string, title: string, x: number, y: number, w: number, h: number,
               target: Record<string, unknown>, extra: Partial<Panel> = {}): Panel {
  return {
    id: nextId++, type, title, gridPos: { x, y, w, h },
    datasource: target.datasource as DataSourceRef, targets: [target], ...extra,
  };
}

export const panels: Panel[] = [
  panel('stat', 'Budget remaining (latest)', 0, 0, 24, 6, sql(`
SELECT ${BUDGET_LABEL('l')} AS budget, l.remaining
FROM error_budget.error_budget_latest l
WHERE ${FILTER('l')} AND l.remaining IS NOT NULL
ORDER BY l.remaining`, 'table'), {
    description: 'Latest remaining budget of every budget: red under 10% (page), orange under 25% (deploys blocked)',
    fieldConfig: { defaults: { unit: 'percentunit', min: -1, max: 1, thresholds: BUDGET_THRESHOLDS, color: { mode: FieldColorModeId.Thresholds } }, overrides: [] },
    options: { reduceOptions: { values: true, calcs: ['lastNotNull'], fields: '/^remaining$/' }, colorMode: 'background', textMode: 'value_and_name', graphMode: 'none' },
  }),
  panel('timeseries', 'Remaining over time', 0, 6, 12, 8, snapshotsOverTime('remaining'), {
    fieldConfig: { defaults: { unit: 'percentunit', thresholds: BUDGET_THRESHOLDS, custom: { thresholdsStyle: { mode: 'line' } } }, overrides: [] },
  }),
  panel('timeseries', 'Burn rate over time', 12, 6, 12, 8, snapshotsOverTime('burn'),
        { description: 'Burn rate over each SLO window: 1 spends exactly the budget' }),
  panel('table', 'Status and latest transitions', 0, 14, 12, 8, sql(`
SELECT e.computed_at AS "time", e.name AS slo, e.vertical, e.budget ->> 'scope' AS scope,
       e.from_status::text AS "from", e.to_status::text AS "to", e.remaining
FROM error_budget.budget_events e
WHERE $__timeFilter(e.computed_at) AND e.vertical IN ($vertical) AND e.name IN ($slo)
  AND coalesce(e.dimensions ->> 'tenant', '-') IN ($tenant)
ORDER BY e.computed_at DESC, e.id DESC
LIMIT 200`, 'table')),
  panel('table', 'Alerts (multiwindow burn rate)', 12, 14, 12, 8, sql(`
SELECT a.fired_at AS "time", a.slo_name AS slo, coalesce(a.dimensions ->> 'vertical', '*') AS vertical, a.severity,
       a.long_window::text || ' / ' || a.short_window::text AS windows, a.factor, a.long_burn, a.short_burn,
       a.time_to_exhaustion::text AS time_to_exhaustion, a.resolved_at
FROM error_budget.alerts a
WHERE ($__timeFilter(a.fired_at) OR a.resolved_at IS NULL) AND a.slo_name IN ($slo)
  AND coalesce(a.dimensions ->> 'vertical', '*') IN ($vertical) AND coalesce(a.dimensions ->> 'tenant', '-') IN ($tenant)
ORDER BY a.fired_at DESC
LIMIT 200`, 'table')),
  panel('bargauge', 'Current burn rate per alert window', 0, 22, 12, 8, sql(`
SELECT r.slo || ' ' || coalesce(r.vertical, '*') || ' ' || r."window"::text AS "window", r.burn
FROM error_budget.burn_rates r
WHERE r.slo IN ($slo) AND coalesce(r.vertical, '*') IN ($vertical) AND coalesce(r.dimensions ->> 'tenant', '-') IN ($tenant)
  AND r.burn IS NOT NULL
ORDER BY r.burn DESC`, 'table'), {
    options: { reduceOptions: { values: true, calcs: ['lastNotNull'], fields: '/^burn$/' }, orientation: 'horizontal', displayMode: 'gradient' },
    fieldConfig: { defaults: { thresholds: { mode: ThresholdsMode.Absolute, steps: [
      { color: 'green', value: null as unknown as number }, { color: 'orange', value: 6 }, { color: 'red', value: 14.4 }] } }, overrides: [] },
  }),
  panel('table', 'Exhaustion forecast (Holt-Winters, 95% interval)', 12, 22, 12, 8, sql(`
SELECT ${BUDGET_LABEL('l')} AS budget, e.status, l.remaining, e.forecast_burn,
       e.earliest, e.exhausts_at, e.latest, e.model
FROM error_budget.error_budget_latest l
CROSS JOIN LATERAL error_budget.budget_exhaustion(l.name, l.dimensions, horizon => 30) AS e
WHERE ${FILTER('l')} AND l.kind IN ('ratio', 'count', 'amount_cap') AND l.method = 'Occurrences'
ORDER BY e.exhausts_at NULLS LAST, l.remaining`, 'table', FORECAST), {
    description: 'When each budget would be spent at its forecast daily burn (error_budget.budget_exhaustion): earliest and latest from the 95% prediction interval; read through the forecast data source (compute grant)',
  }),
  panel('timeseries', 'Cost spend against its band', 0, 30, 24, 8, sql(`
SELECT $__timeGroupAlias(b.computed_at, $__interval), b.name || ' ' || b.vertical AS metric,
       avg(b.amount) AS spend, avg(b.baseline * (1 + s.band)) AS band_upper, avg(b.baseline * (1 - s.band)) AS band_lower
FROM error_budget.error_budgets b JOIN error_budget.slos s ON s.id = b.slo_id
WHERE s.kind = 'cost_band' AND $__timeFilter(b.computed_at) AND ${FILTER('b')}
GROUP BY 1, 2
ORDER BY 1, 2`, 'time_series'), { fieldConfig: { defaults: { unit: 'currencyUSD' }, overrides: [] } }),
];

export const dashboard: Dashboard = {
  uid: 'error-budget',
  title: 'Error budgets',
  description: 'SLO error budgets of AI agents, from the error_budget PostgreSQL extension',
  tags: ['error_budget', 'slo'],
  schemaVersion: 39,
  version: 1,
  editable: true,
  time: { from: 'now-30d', to: 'now' },
  refresh: '5m',
  templating: {
    list: [
      variable('vertical', 'Vertical', 'SELECT DISTINCT vertical FROM error_budget.error_budget_latest ORDER BY 1'),
      variable('slo', 'SLO', 'SELECT DISTINCT name FROM error_budget.error_budget_latest ORDER BY 1'),
      variable('tenant', 'Tenant', "SELECT DISTINCT coalesce(dimensions ->> 'tenant', '-') FROM error_budget.error_budget_latest ORDER BY 1"),
    ],
  },
  panels,
};
