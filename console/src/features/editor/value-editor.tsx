'use client';

import { useEffect, useState } from 'react';
import type { ConditionContext } from './condition-editor';
import type { ConditionLeaf, FactDefinition } from './definition';
import styles from './editor.module.css';
import { NumberField, SelectField, TextField } from './fields';
import { FieldProblems, useFieldProps } from './problems';
import { ValuePicker } from './value-picker';

/** Operators that compare with one value, which a picker chooses when the catalog lists the allowed values. */
const PICKED_ONE = new Set(['string equal', 'string notEqual', 'string[] contains', 'string[] doesNotContain']);

/** The catalog's allowed values for an attribute fact (by the attribute's name), if it lists them. */
export function vocabularyOf(fact: FactDefinition | undefined, vocabularies: Record<string, string[]>): string[] | undefined {
  if (fact?.source !== 'attribute') return undefined;
  const list = vocabularies[fact.attribute ?? fact.name];
  return list?.length ? list : undefined;
}

/** The value of one comparison, in the control that fits its operator and the fact's type. */
export function ValueEditor({
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
  const vocabulary = vocabularyOf(fact, context.vocabularies);
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
  if (vocabulary && type === 'string' && (operator === 'in' || operator === 'notIn')) {
    return (
      <ValuePicker
        label="Values"
        path={path}
        options={vocabulary}
        value={Array.isArray(value) ? value.map(String) : []}
        multiple
        readOnly={readOnly}
        onChange={onChange}
      />
    );
  }
  if (vocabulary && PICKED_ONE.has(`${type} ${operator}`)) {
    return (
      <ValuePicker
        label="Value"
        path={path}
        options={vocabulary}
        value={typeof value === 'string' && value !== '' ? [value] : []}
        multiple={false}
        readOnly={readOnly}
        onChange={(chosen) => onChange(chosen[0] ?? '')}
      />
    );
  }
  if (operator === 'in' || operator === 'notIn') {
    return <ListField path={path} value={value} type={type} readOnly={readOnly} onChange={onChange} />;
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
    <TextField
      label="Value"
      path={path}
      value={typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value)}
      readOnly={readOnly}
      placeholder={type === 'date' ? 'YYYY-MM-DD' : undefined}
      onChange={onChange}
    />
  );
}

/** A list value (in / notIn), typed as comma-separated items. */
function ListField({
  path,
  value,
  type,
  readOnly,
  onChange,
}: {
  path: string;
  value: unknown;
  type: string;
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
      <FieldProblems path={path} />
    </div>
  );
}
