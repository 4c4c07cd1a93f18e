/**
 * How well fitted points rank held-out leads, on a lead export with outcomes.
 *
 *   npm run quality -- ../shared/datasets/x-education/Leads.csv [--mapping rules/x-education.mapping.json] [--rules rules/x-education.json] [--holdout 0.5]
 *
 * Reads the CSV through the import mapping (the same code `npm run import` uses), as a cohort in
 * memory (lead ids 1..N in file order, as a fresh database would give them), splits it by a hash of
 * the lead id, fits on the training part exactly as a backtest does (server/src/backtests/suggestions.ts)
 * and prints the holdout part's ROC AUC for:
 * - the rule set as shipped;
 * - its rules with fitted points (thresholds re-tuned);
 * - those plus the proposed candidate rules (the fitted rule set);
 * - a logistic regression on the same columns: one-hot of every value of each attribute the rule
 *   set reads (numbers cut at their training deciles), ridge 1, probabilities not rounded.
 * Prints figures; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Papa from 'papaparse';
import { SnapshotBuilder } from '../server/src/backtests/cohort-snapshot';
import { scoreCohort } from '../server/src/backtests/cohort-scoring';
import { splitLeads } from '../server/src/backtests/fitting';
import { fitLogistic } from '../server/src/backtests/logistic-fit';
import { withPoints } from '../server/src/backtests/definition-tuning';
import { computeSuggestions } from '../server/src/backtests/suggestions';
import { checkHeader, parseMapping, planAttributes } from '../server/src/imports/mapping';
import { compileMapping } from '../server/src/imports/mapping-compile';
import type { CatalogEntry } from '../server/src/imports/mapping-types';
import type { FactType, RuleSetDefinition } from '../server/src/engine/ruleset-definition';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    mapping: { type: 'string', default: 'rules/x-education.mapping.json' },
    rules: { type: 'string', default: 'rules/x-education.json' },
    holdout: { type: 'string', default: '0.5' },
  },
});
const file = positionals[0];
if (!file) {
  console.error('usage: npm run quality -- <leads.csv> [--mapping m.json] [--rules r.json] [--holdout 0.5]');
  process.exit(2);
}
const holdoutShare = Number(values.holdout);

const mapping = parseMapping(readFileSync(values.mapping!, 'utf8'), values.mapping);
const definition = JSON.parse(readFileSync(values.rules!, 'utf8')) as RuleSetDefinition;
const catalogFile = JSON.parse(readFileSync(path.join('rules', 'attributes.json'), 'utf8')) as {
  attributes: Array<{ name: string; type: CatalogEntry['type']; label: string; description: string; values?: string[] }>;
};
const catalog = new Map<string, CatalogEntry>(
  catalogFile.attributes.map((a) => [
    a.name,
    { name: a.name, type: a.type, label: a.label, description: a.description, allowedValues: a.values ?? null },
  ]),
);
const { effective } = planAttributes(mapping, catalog);

const parsed = Papa.parse<string[]>(readFileSync(file, 'utf8'), { skipEmptyLines: true });
const [header, ...records] = parsed.data;
const headerProblems = checkHeader(mapping, header);
if (headerProblems.length) throw new Error(headerProblems.map((p) => `${p.path}: ${p.message}`).join('\n'));
const now = new Date();
const compiled = compileMapping(mapping, header, {
  catalog: effective,
  fieldLimits: { externalId: 200, email: 320, segment: 100, source: 100 },
  now,
});
const builder = new SnapshotBuilder(records.length, 1);
let rejected = 0;
records.forEach((record, k) => {
  const result = compiled.convert(record, k + 2);
  if (!result.row) {
    rejected += 1;
    return;
  }
  const row = result.row;
  builder.add({
    lead_id: String(k + 1),
    external_id: row.externalId,
    email: row.email,
    segment: row.segment,
    source: row.source,
    attributes: JSON.parse(row.attributesJson) as Record<string, unknown>,
    created_ms: now.getTime(),
    cutoff_ms: now.getTime(),
    converted: row.outcome === 'converted',
    decided: row.outcome === 'converted' || row.outcome === 'lost',
    deal_value: row.dealValue,
    activity_types: '',
    activity_age_ms: '',
    activity_properties: '',
  });
});
const snapshot = builder.build({ cohortId: 'quality', checksum: 'quality', properties: [{}] });
const leads = Uint32Array.from({ length: snapshot.size }, (_, i) => i);
const attributeTypes = new Map<string, FactType>([...effective.values()].map((entry) => [entry.name, entry.type as FactType]));

const t = Date.now();
const current = await scoreCohort(definition, snapshot);
const suggestions = await computeSuggestions(definition, snapshot, leads, current, attributeTypes, {
  split: { kind: 'hash', holdoutShare },
});
const fitMs = Date.now() - t;

// ---- the regression on the same columns ----
const holdoutFlags = splitLeads('hash', holdoutShare, leads, snapshot.leadIds, snapshot.createdAt);
const training = [...leads].filter((_, k) => !holdoutFlags[k]);
const holdout = [...leads].filter((_, k) => holdoutFlags[k]);
/** Attribute names a rule set's rules read. */
function attributesRead(rules: RuleSetDefinition): string[] {
  const used = new Set<string>();
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (typeof n.fact === 'string') used.add(n.fact);
    for (const key of ['all', 'any']) if (Array.isArray(n[key])) (n[key] as unknown[]).forEach(walk);
    if (n.not) walk(n.not);
  };
  rules.rules.forEach((rule) => {
    walk(rule.conditions);
  });
  return rules.facts.flatMap((fact) => (fact.source === 'attribute' && used.has(fact.name) ? [fact.attribute ?? fact.name] : []));
}

/** Held-out log odds of a ridge logistic regression on one-hot columns of `attributes` (numbers cut at training deciles). */
function regressionScores(attributes: string[]): { scores: number[]; width: number } {
  const encoders: Array<(values: Record<string, unknown>) => string> = attributes.map((name) => {
    const numeric = training
      .map((i) => snapshot.attributes[i][name])
      .filter((v): v is number => typeof v === 'number')
      .sort((a, b) => a - b);
    if (numeric.length) {
      const cuts = [...new Set(Array.from({ length: 9 }, (_, d) => numeric[Math.floor(((d + 1) * numeric.length) / 10)]))];
      return (values) => {
        const v = values[name];
        if (typeof v !== 'number') return `${name}=`;
        let bin = 0;
        while (bin < cuts.length && v >= cuts[bin]) bin++;
        return `${name}#${bin}`;
      };
    }
    return (values) => `${name}=${values[name] ?? ''}`;
  });
  const columnOf = new Map<string, number>();
  for (const i of training)
    for (const encode of encoders) {
      const key = encode(snapshot.attributes[i]);
      if (!columnOf.has(key)) columnOf.set(key, columnOf.size);
    }
  const width = columnOf.size;
  const onehot = new Uint8Array(snapshot.size * width);
  for (let i = 0; i < snapshot.size; i++)
    for (const encode of encoders) {
      const c = columnOf.get(encode(snapshot.attributes[i]));
      if (c !== undefined) onehot[i * width + c] = 1;
    }
  const lr = fitLogistic({
    fired: onehot,
    width,
    converted: snapshot.converted,
    rows: training,
    columns: Array.from({ length: width }, (_, c) => c),
  });
  const scores = holdout.map((i) => {
    let s = lr.intercept;
    for (let c = 0; c < width; c++) if (onehot[i * width + c]) s += lr.coefficients[c];
    return s;
  });
  return { scores, width };
}
const shippedColumns = attributesRead(definition);
const fittedDefinition = withPoints(
  definition,
  new Map(),
  suggestions.candidates.filter((c) => c.suggestedPoints).map((c) => ({ definition: c.definition, points: c.suggestedPoints! })),
);
const fittedColumns = attributesRead(fittedDefinition);
const sameColumns = regressionScores(shippedColumns);
const fittedSameColumns = regressionScores(fittedColumns);

/** Mann-Whitney AUC, written out again here (independent of metrics.ts). */
function auc(scores: number[], labels: number[]): number {
  const order = scores.map((s, k) => [s, k] as const).sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  let positives = 0;
  for (let p = 0; p < order.length; ) {
    let q = p;
    while (q < order.length && order[q][0] === order[p][0]) q++;
    const rank = (p + 1 + q) / 2;
    for (let r = p; r < q; r++)
      if (labels[order[r][1]]) {
        rankSum += rank;
        positives += 1;
      }
    p = q;
  }
  const negatives = order.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
const holdoutLabels = holdout.map((i) => snapshot.converted[i]);
const shippedAuc = auc(
  holdout.map((i) => current.total[i]),
  holdoutLabels,
);

const f = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(4));
console.log(
  `${path.basename(file)}: ${snapshot.size.toLocaleString('en-US')} leads (${rejected} rows rejected), ${snapshot.converted.reduce((a, b) => a + b, 0).toLocaleString('en-US')} converted`,
);
console.log(
  `split by hash of the lead id: ${suggestions.split.trainingLeads} training, ${suggestions.split.holdoutLeads} held out; fitting took ${fitMs} ms`,
);
console.log(`held-out ROC AUC`);
console.log(`  shipped rule set ${definition.key}        ${f(suggestions.holdout.current.auc)} (independent check ${f(shippedAuc)})`);
console.log(`  rules with fitted points            ${f(suggestions.holdout.suggested?.auc)}`);
console.log(
  `  fitted rule set (+ ${suggestions.candidates.filter((c) => c.suggestedPoints).length} candidate rules)  ${f(suggestions.holdout.withCandidates?.auc)}`,
);
console.log(
  `  logistic regression on the shipped rule set's ${shippedColumns.length} attributes  ${f(auc(sameColumns.scores, holdoutLabels))} (${sameColumns.width} one-hot columns)`,
);
console.log(
  `  logistic regression on the fitted rule set's ${fittedColumns.length} attributes   ${f(auc(fittedSameColumns.scores, holdoutLabels))} (${fittedSameColumns.width} one-hot columns)`,
);
if (!suggestions.fitted) console.log(`nothing fitted: ${suggestions.reason}`);
