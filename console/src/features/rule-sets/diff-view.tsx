import { signed } from '@/lib/format';
import { OPERATOR_LABELS } from '../editor/definition';

interface FieldChange {
  path: string;
  old?: unknown;
  new?: unknown;
}
interface ConditionChange extends FieldChange {
  kind: 'added' | 'removed' | 'changed';
  itemsAdded?: unknown[];
  itemsRemoved?: unknown[];
}
interface RuleLike {
  name: string;
  event?: { params?: { label?: string; points?: number; dimension?: string } };
}
interface RuleChange {
  name: string;
  displayLabel: string;
  label?: { old: string; new: string };
  dimension?: { old: string; new: string };
  points?: { old: number; new: number };
  priority?: { old?: number; new?: number };
  conditions: ConditionChange[];
  other: FieldChange[];
}
interface Changes {
  document?: FieldChange[];
  facts?: {
    added: Array<{ name: string; label?: string; type?: string }>;
    removed: Array<{ name: string; label?: string; type?: string }>;
    changed: Array<{ name: string; changes: FieldChange[] }>;
  };
  sharedConditions?: {
    added: Array<{ name: string }>;
    removed: Array<{ name: string }>;
    changed: Array<{ name: string; usedBy: string[]; changes: ConditionChange[] }>;
  };
  rules?: { added: RuleLike[]; removed: RuleLike[]; changed: RuleChange[]; reordered: boolean };
  caps?: FieldChange[];
  decay?: FieldChange[];
  grades?: FieldChange[];
  levels?: FieldChange[];
  bands?: FieldChange[];
  qualification?: FieldChange[];
  cells?: Array<{ cell: string; old?: { action: string; label: string }; new?: { action: string; label: string } }>;
}

export interface DiffData {
  identical: boolean;
  summary: string[];
  changes: Record<string, unknown>;
}

export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object')) return value.join(', ');
  return JSON.stringify(value);
}

/** `conditions.all[1].value` → `condition 2 › value`, for people who do not read JSON paths. */
export function describeConditionPath(path: string): string {
  const parts = path
    .replace(/^conditions\.?/, '')
    .replace(/^sharedConditions\.[^.[]+\.?/, '')
    .split('.')
    .filter(Boolean);
  const words = parts.map((part) => {
    const match = /^(all|any)\[(\d+)\]$/.exec(part);
    if (match) return `${match[1] === 'all' ? 'condition' : 'alternative'} ${Number(match[2]) + 1}`;
    if (part === 'not') return 'not';
    return OPERATOR_LABELS[part] ?? part;
  });
  return words.length ? words.join(' › ') : 'all conditions';
}

function describeCondition(condition: unknown): string {
  if (!condition || typeof condition !== 'object') return formatValue(condition);
  const c = condition as Record<string, unknown>;
  if ('fact' in c) return `${String(c.fact)} ${OPERATOR_LABELS[String(c.operator)] ?? String(c.operator)} ${formatValue(c.value)}`;
  if ('condition' in c) return `shared condition ${String(c.condition)}`;
  if ('all' in c) return `all of ${(c.all as unknown[]).map(describeCondition).join('; ')}`;
  if ('any' in c) return `any of ${(c.any as unknown[]).map(describeCondition).join('; ')}`;
  if ('not' in c) return `not (${describeCondition(c.not)})`;
  return JSON.stringify(condition);
}

function rulePoints(rule: RuleLike): string {
  const params = rule.event?.params;
  return params ? `${signed(params.points ?? 0)} ${params.dimension ?? ''}` : '';
}

function OldNew({ old, next }: { old: unknown; next: unknown }) {
  return (
    <>
      <td>{old === undefined ? <span className="muted">—</span> : <span className="old-value">{formatValue(old)}</span>}</td>
      <td>{next === undefined ? <span className="muted">—</span> : <span className="new-value">{formatValue(next)}</span>}</td>
    </>
  );
}

/** A change is one kind of edit at one path; old and new tell apart the rare repeats. */
function changeKey(change: ConditionChange): string {
  return `${change.kind}:${change.path}:${JSON.stringify(change.old ?? null)}:${JSON.stringify(change.new ?? null)}`;
}

function ConditionRows({ changes }: { changes: ConditionChange[] }) {
  return (
    <>
      {changes.map((change) => (
        <tr key={changeKey(change)}>
          <td className="small">
            <span className={`badge ${change.kind}`}>{change.kind}</span> {describeConditionPath(change.path)}
            {change.itemsAdded?.length ? <div className="small">added: {change.itemsAdded.map(formatValue).join(', ')}</div> : null}
            {change.itemsRemoved?.length ? <div className="small">removed: {change.itemsRemoved.map(formatValue).join(', ')}</div> : null}
          </td>
          <OldNew
            old={
              typeof change.old === 'object' && change.old !== null && !Array.isArray(change.old)
                ? describeCondition(change.old)
                : change.old
            }
            next={
              typeof change.new === 'object' && change.new !== null && !Array.isArray(change.new)
                ? describeCondition(change.new)
                : change.new
            }
          />
        </tr>
      ))}
    </>
  );
}

const SETTING_SECTIONS: Array<[keyof Changes, string]> = [
  ['grades', 'Grades'],
  ['levels', 'Levels'],
  ['bands', 'Bands'],
  ['qualification', 'Qualification'],
  ['caps', 'Caps'],
  ['decay', 'Decay'],
  ['document', 'Name and description'],
];

/** A readable diff between two rule set versions: one sentence per change, then rules and settings side by side. */
export function DiffView({ diff, compact = false }: { diff: DiffData; compact?: boolean }) {
  if (diff.identical) return <p className="state empty">The two versions are identical.</p>;
  const changes = diff.changes as Changes;
  const rules = changes.rules;
  const settings = SETTING_SECTIONS.flatMap(([key, title]) =>
    ((changes[key] as FieldChange[] | undefined) ?? []).map((change) => ({ ...change, title })),
  );
  return (
    <div className="stack" data-testid="diff-view">
      <section aria-label="Summary of changes">
        <h3>In short</h3>
        <ul className="diff-summary" data-testid="diff-summary">
          {[...new Set(diff.summary)].map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </section>
      {!compact && rules && (rules.added.length > 0 || rules.removed.length > 0 || rules.changed.length > 0) && (
        <section aria-label="Rule changes">
          <h3>Rules</h3>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">What changed</th>
                  <th scope="col">Before</th>
                  <th scope="col">After</th>
                </tr>
              </thead>
              <tbody>
                {rules.added.map((rule) => (
                  <tr key={`added-${rule.name}`}>
                    <td>{rule.event?.params?.label ?? rule.name}</td>
                    <td>
                      <span className="badge added">added</span>
                    </td>
                    <OldNew old={undefined} next={rulePoints(rule)} />
                  </tr>
                ))}
                {rules.removed.map((rule) => (
                  <tr key={`removed-${rule.name}`}>
                    <td>{rule.event?.params?.label ?? rule.name}</td>
                    <td>
                      <span className="badge removed">removed</span>
                    </td>
                    <OldNew old={rulePoints(rule)} next={undefined} />
                  </tr>
                ))}
                {rules.changed.map((rule) => {
                  const rows: Array<{ what: string; old: unknown; next: unknown }> = [];
                  if (rule.points) rows.push({ what: 'points', old: signed(rule.points.old), next: signed(rule.points.new) });
                  if (rule.dimension) rows.push({ what: 'dimension', old: rule.dimension.old, next: rule.dimension.new });
                  if (rule.label) rows.push({ what: 'label', old: rule.label.old, next: rule.label.new });
                  if (rule.priority) rows.push({ what: 'priority', old: rule.priority.old, next: rule.priority.new });
                  for (const other of rule.other) rows.push({ what: other.path, old: other.old, next: other.new });
                  return <RuleChangeRows key={`changed-${rule.name}`} rule={rule} rows={rows} />;
                })}
              </tbody>
            </table>
          </div>
          {rules.reordered && <p className="muted small">The order of rules changed (it only changes the order of reasons).</p>}
        </section>
      )}
      {!compact && settings.length > 0 && (
        <section aria-label="Setting changes">
          <h3>Thresholds and settings</h3>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Setting</th>
                  <th scope="col">Before</th>
                  <th scope="col">After</th>
                </tr>
              </thead>
              <tbody>
                {settings.map((change) => (
                  <tr key={change.path}>
                    <td>
                      <code>{change.path}</code>
                    </td>
                    <OldNew old={change.old} next={change.new} />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {!compact && changes.cells && changes.cells.length > 0 && (
        <section aria-label="Action grid changes">
          <h3>Action grid</h3>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Cell</th>
                  <th scope="col">Before</th>
                  <th scope="col">After</th>
                </tr>
              </thead>
              <tbody>
                {changes.cells.map((cell) => (
                  <tr key={cell.cell}>
                    <td>
                      <span className="cell-tag">{cell.cell}</span>
                    </td>
                    <OldNew
                      old={cell.old ? `${cell.old.label} (${cell.old.action})` : undefined}
                      next={cell.new ? `${cell.new.label} (${cell.new.action})` : undefined}
                    />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {!compact && changes.facts && changes.facts.added.length + changes.facts.removed.length + changes.facts.changed.length > 0 && (
        <section aria-label="Fact changes">
          <h3>Facts</h3>
          <ul>
            {changes.facts.added.map((fact) => (
              <li key={`a-${fact.name}`}>
                <span className="badge added">added</span> {fact.label ?? fact.name} <code>{fact.type}</code>
              </li>
            ))}
            {changes.facts.removed.map((fact) => (
              <li key={`r-${fact.name}`}>
                <span className="badge removed">removed</span> {fact.label ?? fact.name}
              </li>
            ))}
            {changes.facts.changed.map((fact) => (
              <li key={`c-${fact.name}`}>
                <span className="badge changed">changed</span> {fact.name}:{' '}
                {fact.changes.map((change) => `${change.path} ${formatValue(change.old)} → ${formatValue(change.new)}`).join('; ')}
              </li>
            ))}
          </ul>
        </section>
      )}
      {!compact && changes.sharedConditions && changes.sharedConditions.changed.length > 0 && (
        <section aria-label="Shared condition changes">
          <h3>Shared conditions</h3>
          {changes.sharedConditions.changed.map((shared) => (
            <div key={shared.name} className="table-wrap" style={{ marginBottom: '0.5rem' }}>
              <table>
                <caption>
                  {shared.name} <span className="muted small">used by {shared.usedBy.join(', ') || 'no rule'}</span>
                </caption>
                <tbody>
                  <ConditionRows changes={shared.changes} />
                </tbody>
              </table>
            </div>
          ))}
        </section>
      )}
    </div>
  );
}

function RuleChangeRows({ rule, rows }: { rule: RuleChange; rows: Array<{ what: string; old: unknown; next: unknown }> }) {
  const total = rows.length + rule.conditions.length;
  return (
    <>
      {rows.map((row, index) => (
        <tr key={row.what}>
          {index === 0 && <td rowSpan={total}>{rule.displayLabel}</td>}
          <td>
            <span className="badge changed">{row.what}</span>
          </td>
          <OldNew old={row.old} next={row.next} />
        </tr>
      ))}
      {rule.conditions.map((change, index) => (
        <tr key={changeKey(change)}>
          {rows.length === 0 && index === 0 && <td rowSpan={total}>{rule.displayLabel}</td>}
          <td className="small">
            <span className={`badge ${change.kind}`}>{change.kind === 'changed' ? 'condition' : `condition ${change.kind}`}</span>{' '}
            {describeConditionPath(change.path)}
            {change.itemsAdded?.length ? <div>added: {change.itemsAdded.map(formatValue).join(', ')}</div> : null}
            {change.itemsRemoved?.length ? <div>removed: {change.itemsRemoved.map(formatValue).join(', ')}</div> : null}
          </td>
          <OldNew
            old={
              typeof change.old === 'object' && change.old !== null && !Array.isArray(change.old)
                ? describeCondition(change.old)
                : change.old
            }
            next={
              typeof change.new === 'object' && change.new !== null && !Array.isArray(change.new)
                ? describeCondition(change.new)
                : change.new
            }
          />
        </tr>
      ))}
    </>
  );
}
