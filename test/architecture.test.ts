import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../server/src/common/paths';

/*
 * The dependency direction between the folders of server/src (docs/architecture.md).
 *
 * Every relative import of a non-test file under server/src is an edge from its folder to the
 * imported file's folder. An edge must go down the layers below, or be in KNOWN_BACKWARD_EDGES:
 * the edges that went backwards when this test was written, i.e. the renovation's to-do list.
 * That list may only shrink: an entry whose edge is gone fails the test until it is removed.
 * Tests (*.test.ts) are left out: they may reach across domains for fixtures.
 * Type-only imports count too (`import type` still couples the folders at compile time).
 */

const SRC = path.join(REPO_ROOT, 'server', 'src');

/**
 * Files that list every domain by design (the resolver list, the entity list): they belong to the
 * composition, not to the folder they sit in, and count as the node `wiring`.
 */
const WIRING_FILES = ['graphql/schema.ts', 'db/data-source.ts'];

/** Lowest first. A node may import nodes of lower layers only; nodes of one layer do not import each other. */
const LAYERS: readonly (readonly string[])[] = [
  ['engine'], // server/src/engine: the pure scoring engine; imports nothing outside itself
  ['common'], // generic helpers: errors, clock, pagination, paths, logger
  ['db'], // connections, prepared statements, query scope, connection loss
  ['graphql'], // API plumbing: context, shared GraphQL types, error mapping, limits, input hygiene
  ['observability'], // metrics and the GraphQL metrics plugin
  ['audit'], // the audit log every domain writes to
  ['auth'], // users, sessions, API keys, Principal (and, to come, Actor)
  ['rulesets'], // rule sets, versions, validation, review and publish
  ['scoring'], // stored scores, score history, scoring service, decay pass
  ['accounts'], // accounts (companies), matching leads to them, merges; account scoring
  ['leads'], // leads, attribute catalog, outcomes, erasure
  ['owners'], // lead owners (sales users, queues) and routing rules; publishes assignment events
  ['activities', 'imports', 'webhooks'], // write paths on scoring (re-scoring is scoring/rescore/); webhooks deliver score changes
  ['backtests'], // cohorts, metrics, suggestions, calibration
  ['ingestion', 'lists', 'live'], // Segment-compatible tracking API; saved lists and CSV export; GraphQL subscriptions
  ['jobs'], // the shared pg-boss instance; each domain runs its own queue
  ['wiring'], // see WIRING_FILES
  ['app'], // server/src/app.ts: the composition root
  ['http', 'demo'], // HTTP server and routes; demo data seeding
  ['main'], // server/src/main.ts, worker.ts: process entry points
];

/**
 * Edges that go backwards today, each with why it exists and where it should go. Remove an entry
 * when its edge is gone (the test says so); never add one for new code: publish an event, pass an
 * interface in from the composition root, or move the shared piece down instead.
 */
const KNOWN_BACKWARD_EDGES: Record<string, string> = {};

/** Packages the pure modules must not import (database and GraphQL). */
const FORBIDDEN_IN_ENGINE =
  /^(graphql|graphql-[\w-]+|type-graphql|@apollo\/.+|dataloader|typeorm|typeorm-[\w-]+|pg|pg-[\w-]+|@electric-sql\/pglite)(\/.*)?$/;

/** Engine files allowed a forbidden package for now, `file: package` with a comment. None today. */
const KNOWN_ENGINE_PACKAGE_IMPORTS: Record<string, string> = {};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The node a file of server/src belongs to (see LAYERS). */
function nodeOf(file: string): string {
  const relative = path.relative(SRC, file).split(path.sep).join('/');
  if (WIRING_FILES.includes(relative)) return 'wiring';
  const parts = relative.split('/');
  if (parts.length === 1) {
    if (relative === 'app.ts') return 'app';
    if (relative === 'main.ts' || relative === 'worker.ts') return 'main';
    return `(root)/${relative}`;
  }
  return parts[0];
}

interface ImportSite {
  file: string;
  specifier: string;
}

function readImports() {
  const edges = new Map<string, ImportSite[]>();
  const packagesByFile = new Map<string, string[]>();
  const nodes = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const from = nodeOf(file);
    nodes.add(from);
    const relativeFile = path.relative(SRC, file).split(path.sep).join('/');
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith('.')) {
        packagesByFile.set(relativeFile, [...(packagesByFile.get(relativeFile) ?? []), specifier]);
        continue;
      }
      const target = path.resolve(path.dirname(file), specifier);
      if (!target.startsWith(SRC + path.sep)) continue; // migrations/, rules/: outside the layering
      const to = nodeOf(`${target.replace(/\.(js|ts)$/, '')}.ts`);
      if (to === from) continue;
      const key = `${from} -> ${to}`;
      edges.set(key, [...(edges.get(key) ?? []), { file: relativeFile, specifier }]);
    }
  }
  return { edges, packagesByFile, nodes };
}

const rank = new Map(LAYERS.flatMap((layer, index) => layer.map((node) => [node, index] as const)));
const { edges, packagesByFile, nodes } = readImports();

function isBackward(edge: string): boolean {
  const [from, to] = edge.split(' -> ');
  return !((rank.get(to) ?? Infinity) < (rank.get(from) ?? -Infinity));
}

function describeEdge(edge: string): string {
  const sites = edges.get(edge) ?? [];
  return `${edge}\n${sites.map(({ file, specifier }) => `      ${file}: '${specifier}'`).join('\n')}`;
}

describe('architecture: dependencies between the folders of server/src', () => {
  it('places every folder in a layer', () => {
    const unplaced = [...nodes].filter((node) => !rank.has(node)).sort();
    expect(unplaced, `add these to LAYERS in test/architecture.test.ts (and to docs/architecture.md): ${unplaced.join(', ')}`).toEqual([]);
  });

  it('keeps the engine self-contained: it imports nothing outside server/src/engine', () => {
    const outward = [...edges.keys()].filter((edge) => edge.startsWith('engine -> ')).sort();
    expect(outward, `the engine must not import other folders:\n${outward.map(describeEdge).join('\n')}`).toEqual([]);
  });

  it('has no backward import beyond the known ones', () => {
    const added = [...edges.keys()].filter((edge) => isBackward(edge) && !(edge in KNOWN_BACKWARD_EDGES)).sort();
    expect(
      added,
      `new backward imports between folders (layers are listed in test/architecture.test.ts, docs/architecture.md):\n${added.map(describeEdge).join('\n')}\n` +
        'Import downwards instead: publish an event the higher folder subscribes to, receive an interface from the composition root (app.ts), or move the shared piece down.',
    ).toEqual([]);
  });

  it('lists only backward edges that still exist', () => {
    const gone = Object.keys(KNOWN_BACKWARD_EDGES)
      .filter((edge) => !edges.has(edge) || !isBackward(edge))
      .sort();
    expect(
      gone,
      `these edges are gone (or now go downwards): well done, remove them from KNOWN_BACKWARD_EDGES in test/architecture.test.ts and from docs/architecture.md: ${gone.join(', ')}`,
    ).toEqual([]);
  });

  it('keeps database and GraphQL packages out of the pure modules', () => {
    const sites = [...packagesByFile]
      .filter(([file]) => nodeOf(path.join(SRC, file)) === 'engine')
      .flatMap(([file, packages]) => packages.filter((name) => FORBIDDEN_IN_ENGINE.test(name)).map((name) => `${file}: ${name}`));
    const added = sites.filter((site) => !(site in KNOWN_ENGINE_PACKAGE_IMPORTS)).sort();
    expect(added, `the pure scoring modules must not import database or GraphQL packages:\n${added.join('\n')}`).toEqual([]);
    const gone = Object.keys(KNOWN_ENGINE_PACKAGE_IMPORTS).filter((site) => !sites.includes(site));
    expect(gone, `these imports are gone: remove them from KNOWN_ENGINE_PACKAGE_IMPORTS: ${gone.join(', ')}`).toEqual([]);
  });
});
