'use client';

import { useEffect, useState, type ReactNode } from 'react';
import { FieldProblems, useFieldProps } from './problems';

interface BaseProps {
  label: string;
  /** JSON path of the value, e.g. rules[3].event.params.points. */
  path: string;
  hint?: ReactNode;
  /** Hide the label visually (still read by screen readers). */
  hideLabel?: boolean;
  readOnly?: boolean;
  className?: string;
}

function Label({ htmlFor, label, hidden }: { htmlFor: string; label: string; hidden?: boolean }) {
  return (
    <label htmlFor={htmlFor} className={hidden ? 'visually-hidden' : undefined}>
      {label}
    </label>
  );
}

export function TextField({
  label,
  path,
  hint,
  hideLabel,
  readOnly,
  className,
  value,
  onChange,
  list,
  placeholder,
}: BaseProps & { value: string | undefined; onChange(value: string): void; list?: string; placeholder?: string }) {
  const props = useFieldProps(path);
  return (
    <div className={`field ${className ?? ''}`}>
      <Label htmlFor={props.id} label={label} hidden={hideLabel} />
      <input
        {...props}
        type="text"
        value={value ?? ''}
        readOnly={readOnly}
        list={list}
        placeholder={placeholder}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && <span className="hint">{hint}</span>}
      <FieldProblems path={path} />
    </div>
  );
}

export function TextAreaField({
  label,
  path,
  hint,
  hideLabel,
  readOnly,
  className,
  value,
  onChange,
  rows = 3,
  placeholder,
}: BaseProps & { value: string | undefined; onChange(value: string): void; rows?: number; placeholder?: string }) {
  const props = useFieldProps(path);
  return (
    <div className={`field ${className ?? ''}`}>
      <Label htmlFor={props.id} label={label} hidden={hideLabel} />
      <textarea
        {...props}
        rows={rows}
        value={value ?? ''}
        readOnly={readOnly}
        placeholder={placeholder}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && <span className="hint">{hint}</span>}
      <FieldProblems path={path} />
    </div>
  );
}

/**
 * A number input that lets people type freely ("-", "", "1e") and reports a number (or undefined
 * when empty or not a number, which the API then reports as a problem at this path).
 */
export function NumberField({
  label,
  path,
  hint,
  hideLabel,
  readOnly,
  className,
  value,
  onChange,
  step,
}: BaseProps & { value: number | undefined; onChange(value: number | undefined): void; step?: number }) {
  const props = useFieldProps(path);
  const [text, setText] = useState(value === undefined ? '' : String(value));
  useEffect(() => {
    setText((current) => (Number(current) === value && current.trim() !== '' ? current : value === undefined ? '' : String(value)));
  }, [value]);
  return (
    <div className={`field ${className ?? ''}`}>
      <Label htmlFor={props.id} label={label} hidden={hideLabel} />
      <input
        {...props}
        type="number"
        inputMode="numeric"
        step={step ?? 1}
        value={text}
        readOnly={readOnly}
        onChange={(event) => {
          setText(event.target.value);
          const parsed = event.target.value.trim() === '' ? undefined : Number(event.target.value);
          onChange(parsed === undefined || Number.isNaN(parsed) ? undefined : parsed);
        }}
      />
      {hint && <span className="hint">{hint}</span>}
      <FieldProblems path={path} />
    </div>
  );
}

export function SelectField<T extends string>({
  label,
  path,
  hint,
  hideLabel,
  readOnly,
  className,
  value,
  onChange,
  options,
}: BaseProps & { value: T | undefined; onChange(value: T): void; options: Array<{ value: T; label: string }> }) {
  const props = useFieldProps(path);
  const known = options.some((option) => option.value === value);
  return (
    <div className={`field ${className ?? ''}`}>
      <Label htmlFor={props.id} label={label} hidden={hideLabel} />
      <select {...props} value={value ?? ''} disabled={readOnly} onChange={(event) => onChange(event.target.value as T)}>
        {!known && <option value={value ?? ''}>{value ? `${value} (unknown)` : 'Choose…'}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint && <span className="hint">{hint}</span>}
      <FieldProblems path={path} />
    </div>
  );
}
