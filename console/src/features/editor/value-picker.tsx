'use client';

import { useId, useState, type KeyboardEvent } from 'react';
import { valueWords } from '@/lib/attribute-labels';
import styles from './editor.module.css';
import { FieldProblems, useFieldProps } from './problems';

interface ValuePickerProps {
  label: string;
  /** JSON path of the value (problems and focus). */
  path: string;
  /** The catalog's allowed values. */
  options: string[];
  /** The chosen values; one at most unless `multiple`. */
  value: string[];
  multiple: boolean;
  readOnly: boolean;
  onChange(value: string[]): void;
}

/**
 * Choosing catalog values instead of typing them: a combobox whose text filters the allowed values
 * (listbox below it; arrow keys, Enter, Escape; Backspace on empty text removes the last choice).
 * Values show as the catalog's words (`C-level`) and are stored as its codes (`c_level`); the
 * text matches either. Chosen values outside the catalog stay visible, marked, so they can be removed.
 */
export function ValuePicker({ label, path, options, value, multiple, readOnly, onChange }: ValuePickerProps) {
  const props = useFieldProps(path);
  const listId = `${useId()}-options`;
  const [query, setQuery] = useState('');
  const [expanded, setExpanded] = useState(false);
  const [active, setActive] = useState(0);
  const needle = query.trim().toLowerCase();
  const shown = options.filter((option) => option.toLowerCase().includes(needle) || valueWords(option).toLowerCase().includes(needle));
  const activeOption = expanded ? shown[Math.min(active, shown.length - 1)] : undefined;
  const optionId = (option: string) => `${listId}-${option.replace(/[^A-Za-z0-9_-]/g, '_')}`;

  function choose(option: string) {
    if (multiple) onChange(value.includes(option) ? value.filter((item) => item !== option) : [...value, option]);
    else {
      onChange([option]);
      setExpanded(false);
    }
    setQuery('');
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!expanded) setExpanded(true);
      else setActive((current) => Math.max(0, Math.min(shown.length - 1, current + (event.key === 'ArrowDown' ? 1 : -1))));
    } else if (event.key === 'Enter' && activeOption !== undefined) {
      event.preventDefault();
      choose(activeOption);
    } else if (event.key === 'Escape' && expanded) {
      event.preventDefault();
      setExpanded(false);
    } else if (event.key === 'Backspace' && query === '' && value.length > 0 && multiple) {
      onChange(value.slice(0, -1));
    }
  }

  return (
    <div className="field value-picker">
      <label htmlFor={props.id}>{label}</label>
      {value.length > 0 && (
        <ul className={styles.pickerChips} aria-label={`${label}: chosen`}>
          {value.map((item) => (
            <li key={item} className={`badge${options.includes(item) ? '' : ' removed'}`}>
              {options.includes(item) ? valueWords(item) : item}
              {!options.includes(item) && <span className="small"> (not in the catalog)</span>}
              {!readOnly && (
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Remove ${options.includes(item) ? valueWords(item) : item}`}
                  onClick={() => onChange(value.filter((v) => v !== item))}
                >
                  ✕
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!readOnly && (
        <input
          {...props}
          type="text"
          role="combobox"
          autoComplete="off"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeOption !== undefined ? optionId(activeOption) : undefined}
          placeholder={multiple ? 'Search values to add…' : 'Search values…'}
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setExpanded(true);
            setActive(0);
          }}
          onFocus={() => setExpanded(true)}
          onBlur={() => setExpanded(false)}
          onKeyDown={onKeyDown}
        />
      )}
      <div
        role="listbox"
        id={listId}
        aria-label={label}
        aria-multiselectable={multiple}
        className={styles.pickerOptions}
        hidden={!expanded || readOnly}
      >
        {shown.length === 0 && <p className="muted small">No value matches &ldquo;{query}&rdquo;.</p>}
        {shown.map((option) => (
          <div
            key={option}
            id={optionId(option)}
            role="option"
            tabIndex={-1}
            aria-selected={value.includes(option)}
            className={option === activeOption ? styles.activeOption : undefined}
            // Keeps the focus in the text box, so the list stays open for the next choice.
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => choose(option)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') choose(option);
            }}
          >
            {value.includes(option) ? '✓ ' : ''}
            {valueWords(option)}
          </div>
        ))}
      </div>
      <FieldProblems path={path} />
    </div>
  );
}
