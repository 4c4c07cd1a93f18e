'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { ErrorMessage, Loading } from '@/components/states';
import type { VersionQuery as VersionQueryResult } from '@/gql/graphql';
import { useAuth } from '@/features/auth/auth-context';
import { DiffView } from '@/features/rule-sets/diff-view';
import { CreateDraftMutation, RuleSetDiffQuery } from '@/features/rule-sets/operations';
import { runBacktest } from '@/features/backtests/run-backtest';
import { SimulatePanel } from '@/features/simulate/simulate-panel';
import { actorName, formatDateTime } from '@/lib/format';
import { ApiError, request, type Problem } from '@/lib/graphql-client';
import { useQuery } from '@/lib/use-query';
import type { ConditionContext } from './condition-editor';
import { jsonEqual, newRule, toDefinition, toJsonObject, type RuleSetDefinition } from './definition';
import { JsonEditor } from './json-editor';
import { readLocalDraft, writeLocalDraft } from './local-draft';
import { mergeDefinitions } from './merge';
import { AttributeDefinitionsQuery, SaveDraftMutation, ValidateRuleSetQuery, VersionQuery } from './operations';
import { ProblemsProvider } from './problems';
import { RuleEditor } from './rule-editor';
import { BandsSection, CapsDecaySection, CellsSection, GeneralSection, SharedConditionsSection, ThresholdsSection } from './sections';

type Version = VersionQueryResult['ruleSetVersion'];

const TABS = [
  { id: 'rules', label: 'Rules' },
  { id: 'shared', label: 'Shared conditions' },
  { id: 'thresholds', label: 'Grades & levels' },
  { id: 'cells', label: 'Action grid' },
  { id: 'bands', label: 'Bands' },
  { id: 'caps', label: 'Caps & decay' },
  { id: 'general', label: 'General' },
  { id: 'json', label: 'JSON' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** Which tab shows the field a problem path points at. */
export function tabFor(path: string): TabId {
  const head = path.split(/[.[]/)[0];
  switch (head) {
    case 'rules':
      return 'rules';
    case 'sharedConditions':
      return 'shared';
    case 'grades':
    case 'levels':
      return 'thresholds';
    case 'cells':
      return 'cells';
    case 'bands':
    case 'qualification':
      return 'bands';
    case 'caps':
    case 'decay':
      return 'caps';
    case 'name':
    case 'description':
    case 'key':
    case 'facts':
      return 'general';
    default:
      return 'json';
  }
}

/** The closest element on screen for a path: the field itself, else its nearest enclosing block. */
function focusPath(path: string): boolean {
  let current = path;
  while (current) {
    const element = document.querySelector<HTMLElement>(`[data-path="${CSS.escape(current)}"]`);
    if (element) {
      element.scrollIntoView({ block: 'center' });
      const focusable = element.matches('input, select, textarea, button, [tabindex]')
        ? element
        : element.querySelector<HTMLElement>('input, select, textarea, button');
      focusable?.focus({ preventScroll: true });
      return true;
    }
    const trimmed = current.replace(/(\[\d+\]|\.[^.[]+)$/, '');
    if (trimmed === current) break;
    current = trimmed;
  }
  return false;
}

export function VersionEditor({ versionId }: { versionId: string }) {
  const version = useQuery(VersionQuery, { id: versionId });
  const attributes = useQuery(AttributeDefinitionsQuery);
  if (version.error) return <ErrorMessage error={version.error} title="Could not load the version" />;
  if (!version.data) return <Loading label="Loading the version…" />;
  return (
    <LoadedEditor
      key={versionId}
      version={version.data.ruleSetVersion}
      vocabularies={Object.fromEntries(
        (attributes.data?.attributeDefinitions ?? []).filter((a) => a.allowedValues?.length).map((a) => [a.name, a.allowedValues ?? []]),
      )}
    />
  );
}

interface Base {
  revision: number;
  definition: RuleSetDefinition;
  status: string;
}

function LoadedEditor({ version, vocabularies }: { version: Version; vocabularies: Record<string, string[]> }) {
  const { hasRole } = useAuth();
  const router = useRouter();
  const serverDefinition = toDefinition(version.definition);

  // Start from the server's document, or from edits this browser kept for this version.
  const [initial] = useState(() => {
    const local = readLocalDraft(version.id);
    if (!local || jsonEqual(local.definition, serverDefinition))
      return {
        base: { revision: version.revision, definition: serverDefinition, status: version.status },
        definition: serverDefinition,
        restored: null,
        conflict: false,
      };
    if (local.baseRevision === version.revision)
      return {
        base: { revision: version.revision, definition: serverDefinition, status: version.status },
        definition: local.definition,
        restored: local.savedAt,
        conflict: false,
      };
    return {
      base: { revision: local.baseRevision, definition: local.baseDefinition, status: version.status },
      definition: local.definition,
      restored: local.savedAt,
      conflict: true,
    };
  });
  const [base, setBase] = useState<Base>(initial.base);
  const [definition, setDefinition] = useState<RuleSetDefinition>(initial.definition);
  const [status, setStatus] = useState(version.status);
  const [note, setNote] = useState('');
  const [tab, setTab] = useState<TabId>('rules');
  const [openRules, setOpenRules] = useState<Set<string>>(new Set());
  const [filter, setFilter] = useState('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [validating, setValidating] = useState(false);
  const [validationError, setValidationError] = useState<ApiError>();
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ApiError>();
  const [notice, setNotice] = useState<string | null>(
    initial.restored ? `Restored your unsaved changes from ${formatDateTime(initial.restored)} (kept in this browser).` : null,
  );
  const [conflict, setConflict] = useState<Version | null>(initial.conflict ? version : null);
  const [mergeConflicts, setMergeConflicts] = useState<string[]>([]);
  const [backtesting, setBacktesting] = useState(false);
  const [backtestError, setBacktestError] = useState<ApiError>();
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});

  const editable = hasRole('MARKETING') && ['draft', 'in_review', 'approved'].includes(status);
  const readOnly = !editable;
  const dirty = !jsonEqual(definition, base.definition);

  // Keep unsaved edits in this browser; forget them once saved.
  useEffect(() => {
    if (readOnly) return;
    writeLocalDraft(
      version.id,
      dirty ? { baseRevision: base.revision, baseDefinition: base.definition, definition, savedAt: new Date().toISOString() } : null,
    );
  }, [definition, base, dirty, readOnly, version.id]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // Validate with the API's own rules shortly after each change.
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(async () => {
      setValidating(true);
      try {
        const { validateRuleSet } = await request(ValidateRuleSetQuery, {
          definition: toJsonObject(definition),
          ruleSetKey: version.ruleSetKey,
        });
        if (!cancelled) {
          setProblems(validateRuleSet.problems);
          setValidationError(undefined);
        }
      } catch (error) {
        if (!cancelled) setValidationError(error instanceof ApiError ? error : new ApiError([{ message: String(error) }]));
      } finally {
        if (!cancelled) setValidating(false);
      }
    }, 400);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [definition, version.ruleSetKey]);

  const context: ConditionContext = useMemo(
    () => ({ facts: definition.facts ?? [], sharedConditionNames: Object.keys(definition.sharedConditions ?? {}), vocabularies, readOnly }),
    [definition.facts, definition.sharedConditions, vocabularies, readOnly],
  );

  const showProblem = useCallback(
    (path: string) => {
      const target = tabFor(path);
      setTab(target);
      const rule = /^rules\[(\d+)\]/.exec(path);
      if (rule) {
        const name = definition.rules[Number(rule[1])]?.name;
        if (name !== undefined) setOpenRules((current) => new Set(current).add(name));
        setFilter('');
      }
      setTimeout(() => focusPath(path), 50);
    },
    [definition.rules],
  );

  async function save(expectedRevision = base.revision) {
    setSaving(true);
    setSaveError(undefined);
    setNotice(null);
    const sent = definition;
    try {
      const { saveDraft } = await request(SaveDraftMutation, {
        input: { versionId: version.id, expectedRevision, definition: toJsonObject(sent), note: note.trim() || undefined },
      });
      const saved = toDefinition(saveDraft.definition);
      setBase({ revision: saveDraft.revision, definition: saved, status: saveDraft.status });
      setStatus(saveDraft.status);
      // Edits typed while saving stay; otherwise show exactly what the server stored.
      setDefinition((current) => (current === sent ? saved : current));
      setConflict(null);
      setMergeConflicts([]);
      setNote('');
      setNotice(`Saved: revision ${saveDraft.revision}${status !== 'draft' ? ' (back to draft: reviews must be given again)' : ''}.`);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError([{ message: String(error) }]);
      if (apiError.code === 'CONFLICT' && apiError.reason === 'STALE_REVISION') {
        const latest = await request(VersionQuery, { id: version.id }).catch(() => null);
        if (latest) setConflict(latest.ruleSetVersion);
        else setSaveError(apiError);
      } else {
        setSaveError(apiError);
        const located = apiError.problems
          .filter((problem) => problem.path.startsWith('input.definition.'))
          .map((problem) => ({ ...problem, path: problem.path.slice('input.definition.'.length) }));
        if (located.length) setProblems(located);
      }
    } finally {
      setSaving(false);
    }
  }

  function resolveConflict(how: 'merge' | 'mine' | 'theirs') {
    if (!conflict) return;
    const theirs = toDefinition(conflict.definition);
    const theirBase: Base = { revision: conflict.revision, definition: theirs, status: conflict.status };
    setStatus(conflict.status);
    if (how === 'theirs') {
      setBase(theirBase);
      setDefinition(theirs);
      setConflict(null);
      setNotice(`Loaded revision ${conflict.revision}; your changes were discarded.`);
    } else if (how === 'merge') {
      const merged = mergeDefinitions(base.definition, definition, theirs);
      setBase(theirBase);
      setDefinition(merged.definition);
      setMergeConflicts(merged.conflicts);
      setConflict(null);
      setNotice(`Your changes were applied on top of revision ${conflict.revision}. Check the result, then save.`);
    } else {
      setBase(theirBase);
      setConflict(null);
      void save(conflict.revision);
    }
  }

  async function backtestNow() {
    setBacktesting(true);
    setBacktestError(undefined);
    try {
      const runId = await runBacktest({
        ruleSetKey: version.ruleSetKey,
        ...(dirty ? { definition: toJsonObject(definition) } : { versionId: version.id }),
      });
      router.push(`/rule-sets/${encodeURIComponent(version.ruleSetKey)}/versions/${version.id}/backtest?run=${runId}`);
    } catch (error) {
      setBacktestError(error instanceof ApiError ? error : new ApiError([{ message: String(error) }]));
      setBacktesting(false);
    }
  }

  async function createDraftFromThis() {
    try {
      const { createDraft } = await request(CreateDraftMutation, {
        input: { ruleSetKey: version.ruleSetKey, copyOfVersionId: version.id, note: `Copy of v${version.version}` },
      });
      router.push(`/rule-sets/${encodeURIComponent(version.ruleSetKey)}/versions/${createDraft.id}`);
    } catch (error) {
      setSaveError(error instanceof ApiError ? error : new ApiError([{ message: String(error) }]));
    }
  }

  const counts = useMemo(() => {
    const out: Partial<Record<TabId, number>> = {};
    for (const problem of problems) out[tabFor(problem.path)] = (out[tabFor(problem.path)] ?? 0) + 1;
    return out;
  }, [problems]);

  function onTabKey(event: KeyboardEvent<HTMLButtonElement>) {
    const index = TABS.findIndex((t) => t.id === tab);
    const next =
      event.key === 'ArrowRight'
        ? index + 1
        : event.key === 'ArrowLeft'
          ? index - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? TABS.length - 1
              : null;
    if (next === null) return;
    event.preventDefault();
    const target = TABS[(next + TABS.length) % TABS.length].id;
    setTab(target);
    tabRefs.current[target]?.focus();
  }

  const setRules = (rules: RuleSetDefinition['rules']) => setDefinition({ ...definition, rules });
  const needle = filter.trim().toLowerCase();
  const visibleRules = definition.rules
    .map((rule, index) => ({ rule, index }))
    .filter(
      ({ rule }) => !needle || rule.name.toLowerCase().includes(needle) || (rule.event?.params?.label ?? '').toLowerCase().includes(needle),
    );
  const keyPath = `/rule-sets/${encodeURIComponent(version.ruleSetKey)}`;

  return (
    <ProblemsProvider problems={problems}>
      <div className="page-header">
        <div>
          <nav aria-label="Breadcrumb" className="breadcrumbs">
            <ol>
              <li>
                <Link href="/rule-sets">Rule sets</Link>
              </li>
              <li>
                <Link href={keyPath}>{version.ruleSetKey}</Link>
              </li>
              <li aria-current="page">v{version.version}</li>
            </ol>
          </nav>
          <h1>
            {readOnly ? 'Version' : 'Edit draft'} v{version.version}{' '}
            <span className={`badge ${status}`} data-testid="version-status">
              {status.replace('_', ' ')}
            </span>
          </h1>
          <p className="muted small">
            {definition.name} · created by {actorName(version.createdBy)} · editors:{' '}
            {version.editors.map(actorName).join(', ') || 'none yet'}
          </p>
        </div>
        <div className="row center">
          {hasRole('MARKETING', 'SALES') ? (
            <button
              type="button"
              className="button"
              disabled={backtesting}
              onClick={() => void backtestNow()}
              title="Backtest this document (unsaved edits included) on the last cohort, against the active version"
            >
              {backtesting ? 'Starting backtest…' : 'Run backtest'}
            </button>
          ) : (
            <Link className="button" href={`${keyPath}/versions/${version.id}/backtest`}>
              Backtests
            </Link>
          )}
          <Link className="button" href={`${keyPath}/versions/${version.id}/review`}>
            Review &amp; publish
          </Link>
        </div>
      </div>

      {readOnly && (
        <div className="state warning">
          {['published', 'retired'].includes(status)
            ? `This version is ${status} and can no longer change.`
            : 'Only marketing users edit rule sets; you are viewing it.'}{' '}
          {hasRole('MARKETING') && (
            <button type="button" className="button small" onClick={createDraftFromThis}>
              Create a draft from this version
            </button>
          )}
        </div>
      )}
      {!readOnly && status !== 'draft' && (
        <div className="state warning">
          This version is {status.replace('_', ' ')}. Saving a change sends it back to draft and voids its reviews.
        </div>
      )}

      {backtestError && <ErrorMessage error={backtestError} title="The backtest did not start" />}
      {conflict && (
        <ConflictPanel version={version} conflict={conflict} mine={definition} baseRevision={base.revision} onResolve={resolveConflict} />
      )}
      {notice && (
        <div className="state success" role="status">
          {notice}
          {mergeConflicts.length > 0 && <p>Changed on both sides, your version kept: {mergeConflicts.join(', ')}.</p>}
        </div>
      )}

      <div className="editor-layout">
        <div>
          {!readOnly && (
            <section className="toolbar" aria-label="Save">
              <span className="small" data-testid="save-state" aria-live="polite">
                Revision {base.revision} · {dirty ? <strong>Unsaved changes</strong> : 'All changes saved'}
              </span>
              <span className="small" aria-live="polite" data-testid="validation-state">
                {validating ? (
                  'Checking…'
                ) : problems.length ? (
                  <button type="button" className="button small danger-outline" onClick={() => showProblem(problems[0].path)}>
                    {problems.length} problem{problems.length === 1 ? '' : 's'}
                  </button>
                ) : (
                  <span className="points-pos">✓ Valid</span>
                )}
              </span>
              <label htmlFor="save-note" className="visually-hidden">
                Note for this save
              </label>
              <input
                id="save-note"
                className="note-input"
                type="text"
                placeholder="What changed (optional)"
                value={note}
                onChange={(event) => setNote(event.target.value)}
              />
              <button type="button" className="button subtle" disabled={!dirty || saving} onClick={() => setDefinition(base.definition)}>
                Discard changes
              </button>
              <button type="button" className="button primary" disabled={!dirty || saving || !!conflict} onClick={() => void save()}>
                {saving ? 'Saving…' : 'Save draft'}
              </button>
            </section>
          )}
          {saveError && <ErrorMessage error={saveError} title="Not saved" />}
          {validationError && <ErrorMessage error={validationError} title="Could not validate" />}
          {problems.length > 0 && (
            <details className="state error" open data-testid="problem-summary">
              <summary>
                <strong>
                  {problems.length} validation problem{problems.length === 1 ? '' : 's'}
                </strong>{' '}
                — a draft saves only when valid
              </summary>
              <ul className="problem-list">
                {problems.map((problem) => (
                  <li key={`${problem.path}:${problem.message}`}>
                    <button type="button" onClick={() => showProblem(problem.path)}>
                      {problem.path}
                    </button>
                    : {problem.message}
                  </li>
                ))}
              </ul>
            </details>
          )}

          <div role="tablist" aria-label="Rule set sections" className="tabs">
            {TABS.map((t) => (
              <button
                key={t.id}
                ref={(element) => {
                  tabRefs.current[t.id] = element;
                }}
                role="tab"
                type="button"
                id={`tab-${t.id}`}
                aria-selected={tab === t.id}
                aria-controls={`panel-${t.id}`}
                tabIndex={tab === t.id ? 0 : -1}
                className="tab"
                onClick={() => setTab(t.id)}
                onKeyDown={onTabKey}
              >
                {t.label}
                {counts[t.id] ? (
                  <span className="count">
                    {counts[t.id]}
                    <span className="visually-hidden"> problems</span>
                  </span>
                ) : null}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
            {tab === 'rules' && (
              <div>
                <div className="row center" style={{ marginBottom: '0.6rem' }}>
                  <div className="field" style={{ flex: 1 }}>
                    <label htmlFor="rule-filter" className="visually-hidden">
                      Filter rules
                    </label>
                    <input
                      id="rule-filter"
                      type="search"
                      placeholder={`Filter ${definition.rules.length} rules by label or name`}
                      value={filter}
                      onChange={(event) => setFilter(event.target.value)}
                    />
                  </div>
                  <button
                    type="button"
                    className="button small"
                    onClick={() => setOpenRules(new Set(definition.rules.map((rule) => rule.name)))}
                  >
                    Expand all
                  </button>
                  <button type="button" className="button small" onClick={() => setOpenRules(new Set())}>
                    Collapse all
                  </button>
                </div>
                {visibleRules.length === 0 && <p className="state empty">No rule matches &ldquo;{filter}&rdquo;.</p>}
                {visibleRules.map(({ rule, index }) => (
                  <RuleEditor
                    key={index}
                    rule={rule}
                    index={index}
                    count={definition.rules.length}
                    open={openRules.has(rule.name)}
                    onToggle={(open) =>
                      setOpenRules((current) => {
                        if (open === current.has(rule.name)) return current;
                        const next = new Set(current);
                        if (open) next.add(rule.name);
                        else next.delete(rule.name);
                        return next;
                      })
                    }
                    context={context}
                    onChange={(next) => {
                      if (next.name !== rule.name && openRules.has(rule.name)) setOpenRules((current) => new Set(current).add(next.name));
                      setRules(definition.rules.map((r, i) => (i === index ? next : r)));
                    }}
                    onRemove={() => setRules(definition.rules.filter((_, i) => i !== index))}
                    onDuplicate={() => {
                      const copy = { ...structuredClone(rule), name: `${rule.name}-copy` };
                      setRules([...definition.rules.slice(0, index + 1), copy, ...definition.rules.slice(index + 1)]);
                      setOpenRules((current) => new Set(current).add(copy.name));
                    }}
                    onMove={(delta) => {
                      const next = [...definition.rules];
                      const [moved] = next.splice(index, 1);
                      next.splice(index + delta, 0, moved);
                      setRules(next);
                    }}
                  />
                ))}
                {!readOnly && (
                  <button
                    type="button"
                    className="button"
                    onClick={() => {
                      const rule = newRule(definition);
                      setRules([...definition.rules, rule]);
                      setOpenRules((current) => new Set(current).add(rule.name));
                      setFilter('');
                      setTimeout(() => focusPath(`rules[${definition.rules.length}].name`), 50);
                    }}
                  >
                    + Add rule
                  </button>
                )}
              </div>
            )}
            {tab === 'shared' && (
              <SharedConditionsSection definition={definition} onChange={setDefinition} readOnly={readOnly} context={context} />
            )}
            {tab === 'thresholds' && <ThresholdsSection definition={definition} onChange={setDefinition} readOnly={readOnly} />}
            {tab === 'cells' && <CellsSection definition={definition} onChange={setDefinition} readOnly={readOnly} />}
            {tab === 'bands' && <BandsSection definition={definition} onChange={setDefinition} readOnly={readOnly} />}
            {tab === 'caps' && <CapsDecaySection definition={definition} onChange={setDefinition} readOnly={readOnly} />}
            {tab === 'general' && <GeneralSection definition={definition} onChange={setDefinition} readOnly={readOnly} />}
            {tab === 'json' && (
              <JsonEditor definition={definition} onChange={setDefinition} readOnly={readOnly} onShowInForm={showProblem} />
            )}
          </div>
        </div>
        <aside className="editor-side" aria-label="Simulation">
          <SimulatePanel definition={definition} />
        </aside>
      </div>
    </ProblemsProvider>
  );
}

function ConflictPanel({
  version,
  conflict,
  mine,
  baseRevision,
  onResolve,
}: {
  version: Version;
  conflict: Version;
  mine: RuleSetDefinition;
  baseRevision: number;
  onResolve(how: 'merge' | 'mine' | 'theirs'): void;
}) {
  const diff = useQuery(RuleSetDiffQuery, { fromVersionId: version.id, toDefinition: toJsonObject(mine) });
  return (
    <section className="state warning" role="alert" aria-labelledby="conflict-title" data-testid="conflict">
      <h2 id="conflict-title" style={{ marginTop: 0 }}>
        Someone else saved this version meanwhile
      </h2>
      <p>
        You started from revision {baseRevision}; it is now revision {conflict.revision} (status {conflict.status.replace('_', ' ')}, saved{' '}
        {formatDateTime(conflict.updatedAt)}; editors: {conflict.editors.map(actorName).join(', ') || 'none'}). Your changes are still here
        and kept in this browser: nothing is lost.
      </p>
      <details>
        <summary>What saving your version would change in theirs</summary>
        {diff.loading && <Loading />}
        {diff.error && <ErrorMessage error={diff.error} />}
        {diff.data && <DiffView diff={diff.data.ruleSetDiff} compact />}
      </details>
      <div className="row center" style={{ marginTop: '0.6rem' }}>
        <button type="button" className="button primary" onClick={() => onResolve('merge')}>
          Merge: apply my changes to theirs
        </button>
        <button type="button" className="button" onClick={() => onResolve('mine')}>
          Keep mine (overwrite theirs)
        </button>
        <button type="button" className="button danger-outline" onClick={() => onResolve('theirs')}>
          Discard mine, load theirs
        </button>
      </div>
    </section>
  );
}
