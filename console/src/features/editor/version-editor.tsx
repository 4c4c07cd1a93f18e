'use client';

import { useCallback, useMemo, useState } from 'react';
import { ErrorMessage, Loading } from '@/components/states';
import { useAuth } from '@/features/auth/auth-context';
import { SimulatePanel } from '@/features/simulate/simulate-panel';
import { useQuery } from '@/lib/use-query';
import type { ConditionContext } from './condition-editor';
import { ConflictPanel } from './conflict-panel';
import { EditorHeader } from './editor-header';
import { EditorTabs, tabFor, type TabId } from './editor-tabs';
import { EditorToolbar } from './editor-toolbar';
import { afterRender, focusPath } from './focus';
import { JsonEditor } from './json-editor';
import { AttributeDefinitionsQuery, VersionQuery } from './operations';
import { ProblemsProvider } from './problems';
import { ProblemSummary } from './problem-summary';
import { RemovalContext, useRemovalUndo } from './removal';
import { RulesTab, useRuleListView } from './rules-tab';
import { SectionPanel } from './section-panel';
import { useEditorDocument, type Version } from './use-editor-document';
import { useSave, useSaveShortcut } from './use-save';
import { useValidation } from './use-validation';

export { tabFor } from './editor-tabs';

export function VersionEditor({ versionId }: { versionId: string }) {
  const version = useQuery(VersionQuery, { id: versionId });
  const attributes = useQuery(AttributeDefinitionsQuery);
  const vocabularies = useMemo(
    () =>
      Object.fromEntries(
        (attributes.data?.attributeDefinitions ?? []).filter((a) => a.allowedValues?.length).map((a) => [a.name, a.allowedValues ?? []]),
      ),
    [attributes.data],
  );
  if (version.error) return <ErrorMessage error={version.error} title="Could not load the version" />;
  if (!version.data) return <Loading label="Loading the version…" />;
  return <LoadedEditor key={versionId} version={version.data.ruleSetVersion} vocabularies={vocabularies} />;
}

function LoadedEditor({ version, vocabularies }: { version: Version; vocabularies: Record<string, string[]> }) {
  const { hasRole } = useAuth();
  const doc = useEditorDocument(version, hasRole('MARKETING'));
  const { definition, setDefinition, base, dirty } = doc;
  const readOnly = !doc.editable;
  const { problems, setProblems, validating, validationError } = useValidation(definition, version.ruleSetKey);
  const saveState = useSave(version, doc, setProblems);
  useSaveShortcut(saveState);
  const { change, noteRemoval, removal, undo } = useRemovalUndo(definition, setDefinition);
  const [tab, setTab] = useState<TabId>('rules');
  const ruleView = useRuleListView();
  const { reveal } = ruleView;

  const context: ConditionContext = useMemo(
    () => ({ facts: definition.facts ?? [], sharedConditionNames: Object.keys(definition.sharedConditions ?? {}), vocabularies, readOnly }),
    [definition.facts, definition.sharedConditions, vocabularies, readOnly],
  );

  const showProblem = useCallback(
    (path: string) => {
      setTab(tabFor(path));
      const rule = /^rules\[(\d+)\]/.exec(path);
      const found = rule ? definition.rules[Number(rule[1])] : undefined;
      if (found) reveal(found);
      afterRender(() => focusPath(path));
    },
    [definition.rules, reveal],
  );

  const counts = useMemo(() => {
    const out: Partial<Record<TabId, number>> = {};
    for (const problem of problems) out[tabFor(problem.path)] = (out[tabFor(problem.path)] ?? 0) + 1;
    return out;
  }, [problems]);

  const { notice } = saveState;

  return (
    <ProblemsProvider problems={problems}>
      <RemovalContext.Provider value={noteRemoval}>
        <a href="#simulate" className="skip-link">
          Skip to the simulation
        </a>
        <EditorHeader version={version} status={doc.status} definition={definition} dirty={dirty} readOnly={readOnly} />
        {saveState.conflict && (
          <ConflictPanel
            version={version}
            conflict={saveState.conflict}
            mine={definition}
            baseRevision={base.revision}
            onResolve={saveState.resolveConflict}
          />
        )}
        {notice && (
          <div className="state success" role="status">
            {notice}
            {saveState.mergeConflicts.length > 0 && <p>Changed on both sides, your version kept: {saveState.mergeConflicts.join(', ')}.</p>}
          </div>
        )}
        <div className="editor-layout">
          <div>
            {!readOnly && (
              <EditorToolbar
                revision={base.revision}
                dirty={dirty}
                validating={validating}
                problems={problems}
                onShowProblem={showProblem}
                onDiscard={() => setDefinition(base.definition)}
                saveState={saveState}
                removal={removal}
                onUndo={undo}
              />
            )}
            {saveState.saveError && <ErrorMessage error={saveState.saveError} title="Not saved" />}
            {validationError && <ErrorMessage error={validationError} title="Could not validate" />}
            <ProblemSummary problems={problems} definition={definition} refused={saveState.refused} onShow={showProblem} />
            <EditorTabs tab={tab} onSelect={setTab} counts={counts} />
            <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
              {tab === 'rules' && <RulesTab definition={definition} onChange={change} context={context} view={ruleView} />}
              {tab === 'json' && <JsonEditor definition={definition} onChange={change} readOnly={readOnly} onShowInForm={showProblem} />}
              {tab !== 'rules' && tab !== 'json' && (
                <SectionPanel tab={tab} definition={definition} onChange={change} readOnly={readOnly} context={context} />
              )}
            </div>
          </div>
          <aside className="editor-side" aria-label="Simulation">
            <SimulatePanel definition={definition} />
          </aside>
        </div>
      </RemovalContext.Provider>
    </ProblemsProvider>
  );
}
