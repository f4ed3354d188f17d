// Expands the SQL of every panel (and variable) of error_budget.json as Grafana's
// PostgreSQL data source does, so the test command can run each query for real.
//
//   node test/expand_panels.js DASHBOARD.json FROM TO INTERVAL VARIABLES.json
//
// FROM/TO: the time range (ISO 8601, UTC); INTERVAL: $__interval (e.g. 1d);
// VARIABLES.json: {"vertical": ["sales", ...], ...} (the values "All" stands for).
// Prints one line per query: kind (panel|variable) TAB id TAB panel type TAB format
// TAB data source uid TAB title TAB SQL (on one line).
//
// The expansion (Grafana's documented PostgreSQL macros, in the order Grafana
// applies them: template variables first, then macros):
//   $var, ${var}             the variable's values, each single-quoted (quotes doubled),
//                            joined by commas (Grafana's SQL formatting of a multi-value)
//   $__interval              INTERVAL as given; $__interval_ms its milliseconds
//   $__timeFilter(col)       col BETWEEN 'FROM' AND 'TO'
//   $__timeFrom() / $__timeTo()   'FROM' / 'TO'
//   $__time(col)             col AS "time"
//   $__timeGroup(col, iv)    floor(extract(epoch from col)/s)*s, s = iv in seconds
//   $__timeGroupAlias(col, iv)    the same AS "time"
'use strict';
const fs = require('fs');

const [dashboardFile, from, to, interval, variablesFile] = process.argv.slice(2);
if (!variablesFile) {
  process.stderr.write('usage: node test/expand_panels.js DASHBOARD.json FROM TO INTERVAL VARIABLES.json\n');
  process.exit(2);
}
const dashboard = JSON.parse(fs.readFileSync(dashboardFile, 'utf8'));
const variables = JSON.parse(fs.readFileSync(variablesFile, 'utf8'));

function seconds(iv) {
  const m = /^'?(\d+)(ms|s|m|h|d|w)'?$/.exec(String(iv).trim());
  if (!m) throw new Error(`not a Grafana interval: ${iv}`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2]];
  return Number(m[1]) * unit;
}

const quote = (v) => `'${String(v).replace(/'/g, "''")}'`;

function expandVariables(sql) {
  sql = sql.replace(/\$__interval_ms\b/g, String(seconds(interval) * 1000));
  sql = sql.replace(/\$__interval\b/g, interval);
  return sql.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced, bare) => {
    const name = braced || bare;
    if (name.startsWith('__')) return whole;  // a macro
    if (!(name in variables)) throw new Error(`unknown variable $${name}`);
    const values = variables[name];
    if (!Array.isArray(values) || values.length === 0) throw new Error(`variable $${name} has no values`);
    return values.map(quote).join(',');
  });
}

// The arguments of a macro call starting at `open` (the index of its '('): split on
// top-level commas; returns [args, index after ')'].
function macroArgs(sql, open) {
  const args = [];
  let depth = 0, start = open + 1, quoted = false;
  for (let i = open; i < sql.length; ++i) {
    const c = sql[i];
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === '(') ++depth;
    else if (c === ')') {
      if (--depth === 0) { args.push(sql.slice(start, i).trim()); return [args.filter((a, k) => a !== '' || k > 0), i + 1]; }
    } else if (c === ',' && depth === 1) { args.push(sql.slice(start, i).trim()); start = i + 1; }
  }
  throw new Error(`unbalanced macro call at ${sql.slice(open - 20, open + 20)}`);
}

const macros = {
  timeFilter: ([col]) => `${col} BETWEEN ${quote(from)} AND ${quote(to)}`,
  timeFrom: () => quote(from),
  timeTo: () => quote(to),
  time: ([col]) => `${col} AS "time"`,
  timeGroup: ([col, iv]) => `floor(extract(epoch from ${col})/${seconds(iv)})*${seconds(iv)}`,
  timeGroupAlias: ([col, iv]) => `floor(extract(epoch from ${col})/${seconds(iv)})*${seconds(iv)} AS "time"`,
};

function expandMacros(sql) {
  let out = '';
  let i = 0;
  const re = /\$__(\w+)\(/g;
  let m;
  while ((m = re.exec(sql)) !== null) {
    if (!(m[1] in macros)) throw new Error(`unknown macro $__${m[1]}`);
    const [args, end] = macroArgs(sql, m.index + m[0].length - 1);
    out += sql.slice(i, m.index) + macros[m[1]](args);
    i = end;
    re.lastIndex = end;
  }
  return out + sql.slice(i);
}

const expand = (sql) => expandMacros(expandVariables(sql)).replace(/\s+/g, ' ').trim();
const lines = [];
for (const v of (dashboard.templating && dashboard.templating.list) || [])
  lines.push(['variable', v.name, 'variable', 'table', v.datasource.uid, v.label, expand(v.query)]);
for (const p of dashboard.panels || [])
  for (const t of p.targets || [])
    lines.push(['panel', p.id, p.type, t.format, (t.datasource || p.datasource).uid, p.title, expand(t.rawSql)]);
process.stdout.write(lines.map((l) => l.join('\t')).join('\n') + '\n');
