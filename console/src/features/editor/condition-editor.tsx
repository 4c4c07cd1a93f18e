'use client';

import { useEffect, useState } from 'react';
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
import { NumberField, SelectField, TextField } from './fields';
import { BlockProblems, FieldProblems, useFieldProps } from './problems';
import { keyOf, replaceAt } from './stable-keys';
import styles from './editor.module.css';

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

function AddButtons({ context, onAdd }: { context: ConditionContext; onAdd(condition: Condition): void }) {
  if (context.readOnly) return null;
  return (
    <span className="row center" style={{ gap: '0.3rem' }}>
      <button type="button" className="button small" onClick={() => onAdd(newLeaf(context.facts))}>
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

  return (
    <fieldset
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
        <AddButtons context={context} onAdd={(child) => setChildren([...children, child])} />
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
          onRemove={() => setChildren(children.filter((_, i) => i !== index))}
        />
      ))}
    </fieldset>
  );
}

function NotEditor({ condition, path, context, onChange, onRemove, depth = 0 }: ConditionEditorProps) {
  const inner = (condition as { not: Condition }).not;
  return (
    <fieldset className={`cond-group not ${styles.conditionGroup}`} aria-label="None of this holds">
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
    <div className="cond-leaf">
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
    <div className="cond-leaf">
      <SelectField
        label="Fact"
        path={`${base}.fact`}
        value={condition.fact}
        readOnly={context.readOnly}
        hint={
          fact ? (
            <span className="fact-type">
              {fact.type} · {fact.source}
            </span>
          ) : undefined
        }
        options={context.facts.map((candidate) => ({
          value: candidate.name,
          label: `${candidate.label ?? candidate.name} (${candidate.type})`,
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

function ValueEditor({
  condition,
  fact,
  path,
  context,
  onChange,
}: {
  condition: ConditionLeaf;
  fact: FactDefinition | undefined;
  path: string;
  context: ConditionContext;
  onChange(value: unknown): void;
}) {
  const { operator, value } = condition;
  const type = fact?.type ?? 'string';
  const vocabulary = fact ? context.vocabularies[fact.name] : undefined;
  const listId = vocabulary ? `vocab-${fact?.name}` : undefined;
  const readOnly = context.readOnly;

  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return (
      <div className="field" data-path={path}>
        <span className="field-label">Value</span>
        <code className="small">{JSON.stringify(value)}</code>
        <span className="hint">Compared with another fact; edit in JSON mode.</span>
        <FieldProblems path={path} />
      </div>
    );
  }
  if (operator === 'isEmpty' || type === 'boolean') {
    const options =
      operator === 'isEmpty'
        ? [
            { value: 'true', label: 'yes (no value)' },
            { value: 'false', label: 'no (has a value)' },
          ]
        : [
            { value: 'true', label: 'true' },
            { value: 'false', label: 'false' },
          ];
    return (
      <SelectField
        label="Value"
        path={path}
        value={typeof value === 'boolean' ? String(value) : undefined}
        readOnly={readOnly}
        options={options}
        onChange={(next) => onChange(next === 'true')}
      />
    );
  }
  if (operator === 'between') {
    const [low, high] = Array.isArray(value) ? value : [undefined, undefined];
    return (
      <fieldset className={`field ${styles.rangeField}`} aria-label="Value range">
        <div className="row" style={{ gap: '0.4rem', flexWrap: 'nowrap' }}>
          <NumberField
            label="From"
            path={`${path}[0]`}
            value={typeof low === 'number' ? low : undefined}
            readOnly={readOnly}
            onChange={(next) => onChange([next ?? null, high ?? null])}
          />
          <NumberField
            label="To"
            path={`${path}[1]`}
            value={typeof high === 'number' ? high : undefined}
            readOnly={readOnly}
            onChange={(next) => onChange([low ?? null, next ?? null])}
          />
        </div>
        <FieldProblems path={path} />
      </fieldset>
    );
  }
  if (operator === 'in' || operator === 'notIn') {
    return <ListField path={path} value={value} type={type} vocabulary={vocabulary} readOnly={readOnly} onChange={onChange} />;
  }
  if (type === 'number') {
    return (
      <NumberField
        label="Value"
        path={path}
        value={typeof value === 'number' ? value : undefined}
        readOnly={readOnly}
        onChange={(next) => onChange(next ?? null)}
      />
    );
  }
  return (
    <>
      <TextField
        label="Value"
        path={path}
        value={typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value)}
        readOnly={readOnly}
        list={listId}
        placeholder={type === 'date' ? 'YYYY-MM-DD' : undefined}
        hint={vocabulary ? `One of: ${vocabulary.slice(0, 8).join(', ')}${vocabulary.length > 8 ? ', …' : ''}` : undefined}
        onChange={onChange}
      />
      {vocabulary && (
        <datalist id={listId}>
          {vocabulary.map((item) => (
            <option key={item} value={item} />
          ))}
        </datalist>
      )}
    </>
  );
}

/** A list value (in / notIn), typed as comma-separated items. */
function ListField({
  path,
  value,
  type,
  vocabulary,
  readOnly,
  onChange,
}: {
  path: string;
  value: unknown;
  type: string;
  vocabulary?: string[];
  readOnly: boolean;
  onChange(value: unknown): void;
}) {
  const props = useFieldProps(path);
  const items = Array.isArray(value) ? value : [];
  const toText = (list: unknown[]) => list.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(', ');
  const [text, setText] = useState(toText(items));
  // Only when the value changes from outside: typing keeps its own text (e.g. a trailing comma).
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the value's content, not its identity
  useEffect(() => {
    setText((current) => (JSON.stringify(parse(current)) === JSON.stringify(items) ? current : toText(items)));
  }, [JSON.stringify(items)]);

  function parse(input: string): unknown[] {
    return input
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
      .map((item) => (type === 'number' && item !== '' && !Number.isNaN(Number(item)) ? Number(item) : item));
  }
  return (
    <div className="field">
      <label htmlFor={props.id}>Values (comma-separated)</label>
      <input
        {...props}
        type="text"
        value={text}
        readOnly={readOnly}
        onChange={(event) => {
          setText(event.target.value);
          onChange(parse(event.target.value));
        }}
      />
      {vocabulary && <span className="hint">Allowed: {vocabulary.join(', ')}</span>}
      <FieldProblems path={path} />
    </div>
  );
}
