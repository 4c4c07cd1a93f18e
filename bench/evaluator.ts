/**
 * Compiled evaluator vs json-rules-engine on rules/default-b2b.json.
 *
 *   npx tsx bench/evaluator.ts [poolSize=50000] [compiledLeads=1000000] [engineSample=20000]
 *
 * Leads are the seeded demo data (server/src/demo/demo-data.ts); their facts are computed here in
 * JavaScript the way the facts SQL does (server/src/engine/facts.ts buildFactsQuery) and shaped
 * by factsFromRow. The compiled evaluator runs `compiledLeads` evaluations over the pool (cycling
 * through it); json-rules-engine (RuleSetEvaluator) runs a sample, and leads/s is extrapolated.
 * Both must fire identical rules on the sample. Prints figures only, each beside its floor (a
 * plain pass over the same number of values in typed arrays, bench/support/floors.ts).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RULES_DIR } from '../server/src/common/paths';
import { generateDemoData, type DemoActivity } from '../server/src/demo/demo-data';
import { compileRuleSet, evaluateMany } from '../server/src/engine/compiled-evaluator';
import { factsFromRow, type FactsRow } from '../server/src/engine/facts';
import { RuleSetEvaluator, type Facts } from '../server/src/engine/rule-engine';
import type { ActivityFact, RuleSetDefinition } from '../server/src/engine/ruleset-definition';
import { scanFloor } from './support/floors';
import { printFigure } from './support/report';

const [poolSize = 50_000, compiledLeads = 1_000_000, engineSample = 20_000] = process.argv.slice(2).map(Number);
const DAY_MS = 86_400_000;
const asOf = new Date('2025-06-01T00:00:00Z');
const definition = JSON.parse(readFileSync(path.join(RULES_DIR, 'default-b2b.json'), 'utf8')) as RuleSetDefinition;

function leadFacts(): Facts[] {
  const { leads, activities } = generateDemoData({ leads: poolSize, seed: 20250601, now: asOf, days: 365 });
  const byLead = new Map<string, DemoActivity[]>();
  for (const activity of activities) {
    if (activity.occurredAt > asOf) continue;
    const list = byLead.get(activity.leadExternalId);
    if (list) list.push(activity);
    else byLead.set(activity.leadExternalId, [activity]);
  }
  const activityFacts = definition.facts.filter((fact): fact is ActivityFact => fact.source === 'activity');
  const matches = (fact: ActivityFact, a: DemoActivity) =>
    (!fact.activityTypes?.length || fact.activityTypes.includes(a.type)) &&
    (fact.windowDays === undefined || a.occurredAt.getTime() > asOf.getTime() - fact.windowDays * DAY_MS) &&
    Object.entries(fact.where ?? {}).every(([key, value]) => a.properties[key] === value);
  return leads.map((lead, index) => {
    const own = byLead.get(lead.externalId) ?? [];
    const row: FactsRow = {
      lead_id: String(index + 1),
      email: lead.email,
      segment: lead.segment,
      source: lead.source,
      attributes: lead.attributes,
      created_at: lead.createdAt,
      last_activity_at: own.length ? new Date(Math.max(...own.map((a) => a.occurredAt.getTime()))) : null,
    };
    activityFacts.forEach((fact, i) => {
      const hits = own.filter((a) => matches(fact, a));
      switch (fact.aggregate) {
        case 'count':
        case 'exists':
          row[`f${i}`] = hits.length;
          break;
        case 'daysSinceLast':
          row[`f${i}`] = hits.length ? new Date(Math.max(...hits.map((a) => a.occurredAt.getTime()))) : null;
          break;
        case 'sum':
          row[`f${i}`] = hits.reduce((sum, a) => {
            const value = a.properties[fact.property ?? ''];
            return typeof value === 'number' ? sum + value : sum;
          }, 0);
          break;
      }
    });
    return factsFromRow(definition, row, asOf);
  });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'}`);
  console.log(`rule set: ${definition.key} (${definition.rules.length} rules, ${definition.facts.length} facts)`);

  let started = performance.now();
  const pool = leadFacts();
  console.log(`generated ${fmt(pool.length)} leads' facts in ${fmt(performance.now() - started)} ms`);

  started = performance.now();
  const compiled = compileRuleSet(definition);
  const compileMs = performance.now() - started;
  if (!compiled.compiled) {
    console.log(`not compiled: ${compiled.reason}`);
    return;
  }
  console.log(`compiled in ${compileMs.toFixed(2)} ms (${fmt(compiled.source.length)} characters of JavaScript)`);

  // Compiled: warm up, then time `compiledLeads` evaluations cycling through a pool. Each
  // measurement compiles afresh, so V8's type feedback is not shared between the pools.
  const evaluate = compiled.evaluate;
  let checksum = 0;
  const timeEvaluate = (pool: Facts[]): number => {
    const fresh = compileRuleSet(definition);
    if (!fresh.compiled) throw new Error(fresh.reason);
    const run = fresh.evaluate;
    for (let i = 0; i < 200_000; i++) checksum += run(pool[i % pool.length]).length;
    const t0 = performance.now();
    for (let i = 0; i < compiledLeads; i++) checksum += run(pool[i % pool.length]).length;
    return (compiledLeads / (performance.now() - t0)) * 1000;
  };
  // factsFromRow adds 27 keys one by one, so V8 keeps its objects in dictionary mode (every read
  // a hash lookup, ~5 KB each): a pool of 50,000 does not fit in cache. The same facts as
  // fast-property objects ({ ...facts }, as Object.fromEntries or a literal would build them):
  const fastPool = pool.map((facts) => ({ ...facts }));
  const hotPool = pool.slice(0, 1_000);
  const rateDictionary = timeEvaluate(pool);
  const rateFast = timeEvaluate(fastPool);
  const rateHot = timeEvaluate(hotPool);

  // Columnar: evaluateMany over the pool until `compiledLeads` leads.
  const columnar = compileRuleSet(definition);
  if (!columnar.compiled) throw new Error(columnar.reason);
  evaluateMany(columnar, fastPool.slice(0, 50_000));
  started = performance.now();
  let columnarLeads = 0;
  while (columnarLeads < compiledLeads) {
    const batch = fastPool.length <= compiledLeads - columnarLeads ? fastPool : fastPool.slice(0, compiledLeads - columnarLeads);
    const { fired } = evaluateMany(columnar, batch);
    checksum += fired[fired.length - 1];
    columnarLeads += batch.length;
  }
  const columnarRate = (columnarLeads / (performance.now() - started)) * 1000;

  // json-rules-engine: warm up, then time a sample (one run at a time, as the scoring service does).
  const engine = new RuleSetEvaluator(definition);
  const sample = Array.from({ length: engineSample }, (_, i) => pool[i % pool.length]);
  for (let i = 0; i < 1_000; i++) await engine.evaluate(sample[i % sample.length]);
  const expected: string[] = [];
  started = performance.now();
  for (const facts of sample) expected.push(JSON.stringify((await engine.evaluate(facts)).fired));
  const engineMs = performance.now() - started;
  const engineRate = (sample.length / engineMs) * 1000;

  let mismatches = 0;
  let firedTotal = 0;
  sample.forEach((facts, i) => {
    const actual = evaluate(facts);
    firedTotal += actual.length;
    if (JSON.stringify(actual) !== expected[i]) mismatches++;
  });

  console.log('');
  console.log(`compiled evaluate, ${fmt(compiledLeads)} leads over the pool (leads/s):`);
  console.log(`  facts as factsFromRow builds them (dictionary mode): ${fmt(rateDictionary)}`);
  console.log(`  same facts as fast-property objects:                 ${fmt(rateFast)}`);
  console.log(`  factsFromRow objects, pool of 1,000 (in cache):      ${fmt(rateHot)}`);
  console.log(`compiled evaluateMany (columnar), fast-property facts:  ${fmt(columnarRate)}`);
  console.log(
    `json-rules-engine: ${fmt(sample.length)} leads in ${fmt(engineMs)} ms = ${fmt(engineRate)} leads/s (1,000,000 leads: ~${fmt(1_000_000 / engineRate)} s)`,
  );
  console.log(`ratio compiled / json-rules-engine (factsFromRow objects, 50,000 pool): ${(rateDictionary / engineRate).toFixed(0)}x`);
  console.log(`sample check: ${fmt(sample.length)} leads, ${fmt(firedTotal)} fired rules, mismatches: ${mismatches}`);
  console.log(`(checksum ${checksum})`);

  // The floor: one pass over as many typed-array columns as the rule set has facts, for the same leads.
  const floorRate = compiledLeads / scanFloor(compiledLeads, definition.facts.length);
  const floor = { label: `a sum over ${definition.facts.length} typed-array columns`, value: floorRate };
  printFigure({
    figure: `compiled evaluator, ${definition.key} (${definition.rules.length} rules)`,
    value: rateDictionary,
    unit: 'leads/s',
    floor,
  });
  printFigure({ figure: 'compiled evaluateMany (columnar)', value: columnarRate, unit: 'leads/s', floor });
}

await main();
