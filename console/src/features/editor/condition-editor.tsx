'use client';

import {
  defaultValue,
  isAll,
  isAny,
  isLeaf,
  isNot,
  isReference,
  newLeaf,
  OPERATOR_LABELS,
  OPERATORS_BY_TYPE,
  pathToString,
  type Condition,
  type ConditionLeaf,
  type FactDefinition,
  type Path,
} from './definition';
import styles from './editor.module.css';
import { SelectField } from './fields';
import { focusAfterRemoval } from './focus';
import { BlockProblems, FieldProblems, useFieldProps } from './problems';
import { useNoteRemoval } from './removal';
import { keyOf, replaceAt } from './stable-keys';
import { ValueEditor } from './value-editor';

/** Fact types and sources in words, for people choosing a fact. */
const FACT_TYPE_WORDS: Record<string, string> = { string: 'text', number: 'number', boolean: 'yes or no', 'string[]': 'list of text' };
const FACT_SOURCE_WORDS: Record<string, string> = { attribute: 'what the lead is', lead: 'the lead record', activity: 'what the lead did' };

export interface ConditionContext {
  facts: FactDefinition[];
  sharedConditionNames: string[];
  /** Allowed values of catalog attributes (fixed vocabularies), by fact name. */
  vocabularies: Record<string, string[]>;
  readOnly: boolean;
}

interface ConditionEditorProps {
  condition: Condition;
  path: Path;
  context: ConditionContext;
  onChange(condition: Condition): void;
  /** Absent for the root of a rule. */
  onRemove?(): void;
  depth?: number;
}

/** Edits one node of a condition tree: a group (all / any), a negation, a shared condition reference or a comparison. */
export function ConditionEditor(props: ConditionEditorProps) {
  const { condition } = props;
  if (isAll(condition) || isAny(condition)) return <GroupEditor {...props} />;
  if (isNot(condition)) return <NotEditor {...props} />;
  if (isReference(condition)) return <ReferenceEditor {...props} />;
  if (isLeaf(condition)) return <LeafEditor {...props} condition={condition} />;
  return (
    <p className="muted small" data-path={pathToString(props.path)}>
      This condition has a shape the form does not know; edit it in JSON mode.
    </p>
  );
}

/** `listPath` names the list the buttons add to, so focus can come back to them when it empties. */
function AddButtons({ context, listPath, onAdd }: { context: ConditionContext; listPath: string; onAdd(condition: Condition): void }) {
  if (context.readOnly) return null;
  return (
    <span className="row center" style={{ gap: '0.3rem' }}>
      <button type="button" className="button small" data-add-for={listPath} onClick={() => onAdd(newLeaf(context.facts))}>
        + Condition
      </button>
      <button type="button" className="button small" onClick={() => onAdd({ all: [newLeaf(context.facts)] })}>
        + Group
      </button>
      <button type="button" className="button small" onClick={() => onAdd({ not: newLeaf(context.facts) })}>
        + Not
      </button>
      {context.sharedConditionNames.length > 0 && (
        <button type="button" className="button small" onClick={() => onAdd({ condition: context.sharedConditionNames[0] })}>
          + Shared condition
        </button>
      )}
    </span>
  );
}

function RemoveButton({ onRemove, what, readOnly }: { onRemove?: () => void; what: string; readOnly: boolean }) {
  if (!onRemove || readOnly) return null;
  return (
    <button type="button" className="icon-button" aria-label={`Remove ${what}`} title={`Remove ${what}`} onClick={onRemove}>
      ✕
    </button>
  );
}

function GroupEditor({ condition, path, context, onChange, onRemove, depth = 0 }: ConditionEditorProps) {
  const kind = isAll(condition) ? 'all' : 'any';
  const children = (isAll(condition) ? condition.all : isAny(condition) ? condition.any : []) as Condition[];
  const kindPath = pathToString(path);
  const { [kind]: _children, ...rest } = condition as unknown as Record<string, unknown>;
  const setChildren = (next: Condition[]) => onChange({ ...rest, [kind]: next } as unknown as Condition);
  const switchKind = (nextKind: 'all' | 'any') => onChange({ ...rest, [nextKind]: children } as unknown as Condition);
  // The group's own problems only: its conditions (all[0], all[1], ...) show theirs.
  const selectProps = useFieldProps(`${kindPath}.${kind}`, { exact: true });
  const noteRemoval = useNoteRemoval();
  const removeChild = (index: number) => {
    noteRemoval(isLeaf(children[index]) ? `Condition on ${(children[index] as ConditionLeaf).fact || 'no fact'}` : 'Condition group');
    setChildren(children.filter((_, i) => i !== index));
    focusAfterRemoval(`${kindPath}.${kind}`, index, children.length - 1, `${kindPath}.${kind}`);
  };

  return (
    <fieldset
      data-path={kindPath}
      className={`cond-group ${kind} ${styles.conditionGroup}`}
      aria-label={kind === 'all' ? 'All of these conditions' : 'Any of these conditions'}
    >
      <div className="cond-head">
        <label htmlFor={selectProps.id} className="visually-hidden">
          Group kind
        </label>
        <select
          {...selectProps}
          value={kind}
          disabled={context.readOnly}
          onChange={(event) => switchKind(event.target.value as 'all' | 'any')}
        >
          <option value="all">All of these hold</option>
          <option value="any">Any of these holds</option>
        </select>
        <AddButtons context={context} listPath={`${kindPath}.${kind}`} onAdd={(child) => setChildren([...children, child])} />
        <RemoveButton onRemove={onRemove} what="this group" readOnly={context.readOnly} />
      </div>
      <FieldProblems path={`${kindPath}.${kind}`} exact />
      <BlockProblems path={kindPath} />
      {children.length === 0 && <p className="muted small">An empty group: add a condition.</p>}
      {children.map((child, index) => (
        <ConditionEditor
          key={keyOf(child)}
          condition={child}
          path={[...path, kind, index]}
          context={context}
          depth={depth + 1}
          onChange={(next) => setChildren(replaceAt(children, index, next))}
          onRemove={() => removeChild(index)}
        />
      ))}
    </fieldset>
  );
}

function NotEditor({ condition, path, context, onChange, onRemove, depth = 0 }: ConditionEditorProps) {
  const inner = (condition as { not: Condition }).not;
  return (
    <fieldset className={`cond-group not ${styles.conditionGroup}`} aria-label="None of this holds" data-path={pathToString(path)}>
      <div className="cond-head">
        <strong>Not:</strong> <span className="muted small">the condition below must not hold</span>
        <span className="spacer" />
        <RemoveButton onRemove={onRemove} what="this negation" readOnly={context.readOnly} />
      </div>
      <BlockProblems path={pathToString(path)} />
      <ConditionEditor
        condition={inner}
        path={[...path, 'not']}
        context={context}
        depth={depth + 1}
        onChange={(next) => onChange({ ...condition, not: next } as Condition)}
      />
    </fieldset>
  );
}

function ReferenceEditor({ condition, path, context, onChange, onRemove }: ConditionEditorProps) {
  const name = (condition as { condition: string }).condition;
  return (
    <div className="cond-leaf" data-path={pathToString(path)}>
      <SelectField
        label="Shared condition"
        path={pathToString([...path, 'condition'])}
        value={name}
        readOnly={context.readOnly}
        options={context.sharedConditionNames.map((shared) => ({ value: shared, label: `Shared: ${shared}` }))}
        onChange={(next) => onChange({ ...condition, condition: next } as Condition)}
      />
      <span />
      <span />
      <RemoveButton onRemove={onRemove} what={`shared condition ${name}`} readOnly={context.readOnly} />
    </div>
  );
}

function LeafEditor({ condition, path, context, onChange, onRemove }: ConditionEditorProps & { condition: ConditionLeaf }) {
  const fact = context.facts.find((candidate) => candidate.name === condition.fact);
  const operators = fact ? (OPERATORS_BY_TYPE[fact.type] ?? []) : Object.keys(OPERATOR_LABELS);
  const base = pathToString(path);

  const changeFact = (name: string) => {
    const next = context.facts.find((candidate) => candidate.name === name);
    if (!next) return onChange({ ...condition, fact: name });
    const allowed = OPERATORS_BY_TYPE[next.type] ?? [];
    const operator = allowed.includes(condition.operator) ? condition.operator : (allowed[0] ?? 'equal');
    const sameType = fact?.type === next.type;
    onChange({ ...condition, fact: name, operator, value: sameType ? condition.value : defaultValue(next.type, operator) });
  };
  const changeOperator = (operator: string) =>
    onChange({ ...condition, operator, value: defaultValue(fact?.type ?? 'string', operator, condition.value) });

  return (
    <div className="cond-leaf" data-path={base}>
      <SelectField
        label="Fact"
        path={`${base}.fact`}
        value={condition.fact}
        readOnly={context.readOnly}
        hint={
          fact ? (
            <span className="fact-type">
              {FACT_TYPE_WORDS[fact.type] ?? fact.type} · {FACT_SOURCE_WORDS[fact.source] ?? fact.source}
            </span>
          ) : undefined
        }
        options={context.facts.map((candidate) => ({
          value: candidate.name,
          label: `${candidate.label ?? candidate.name} (${FACT_TYPE_WORDS[candidate.type] ?? candidate.type})`,
        }))}
        onChange={changeFact}
      />
      <SelectField
        label="Operator"
        path={`${base}.operator`}
        value={condition.operator}
        readOnly={context.readOnly}
        options={operators.map((operator) => ({ value: operator, label: OPERATOR_LABELS[operator] ?? operator }))}
        onChange={changeOperator}
      />
      <ValueEditor
        condition={condition}
        fact={fact}
        path={`${base}.value`}
        context={context}
        onChange={(value) => onChange({ ...condition, value })}
      />
      <RemoveButton onRemove={onRemove} what="this condition" readOnly={context.readOnly} />
    </div>
  );
}
