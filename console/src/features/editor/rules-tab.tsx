'use client';

import { useCallback, useState } from 'react';
import type { ConditionContext } from './condition-editor';
import { newRule, type RuleDefinition, type RuleSetDefinition } from './definition';
import { afterRender, focusPath } from './focus';
import { useNoteRemoval } from './removal';
import { RuleEditor } from './rule-editor';
import { keyOf, replaceAt } from './stable-keys';

/**
 * Which rule cards are open and what the filter shows. A card edited while the filter is on stays
 * listed (pinned) even when its new name no longer matches, until the filter changes.
 */
export function useRuleListView() {
  const [filter, setFilterText] = useState('');
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [pinned, setPinned] = useState<ReadonlySet<string>>(new Set());
  const setFilter = useCallback((text: string) => {
    setFilterText(text);
    setPinned(new Set());
  }, []);
  const setRuleOpen = useCallback((rule: object, isOpen: boolean) => {
    setOpen((current) => {
      const key = keyOf(rule);
      if (isOpen === current.has(key)) return current;
      const next = new Set(current);
      if (isOpen) next.add(key);
      else next.delete(key);
      return next;
    });
  }, []);
  const pin = useCallback(
    (rule: object) => setPinned((current) => (current.has(keyOf(rule)) ? current : new Set(current).add(keyOf(rule)))),
    [],
  );
  /** Opens a rule's card and clears the filter, e.g. to show a problem in it. */
  const reveal = useCallback(
    (rule: object) => {
      setRuleOpen(rule, true);
      setFilter('');
    },
    [setRuleOpen, setFilter],
  );
  return { filter, setFilter, open, setOpen, setRuleOpen, pinned, pin, reveal };
}

export type RuleListView = ReturnType<typeof useRuleListView>;

function matches(rule: RuleDefinition, needle: string): boolean {
  return rule.name.toLowerCase().includes(needle) || (rule.event?.params?.label ?? '').toLowerCase().includes(needle);
}

interface RulesTabProps {
  definition: RuleSetDefinition;
  onChange(definition: RuleSetDefinition): void;
  context: ConditionContext;
  view: RuleListView;
}

/** The rules as collapsible cards, with a filter, and add, duplicate, move and delete (undoable). */
export function RulesTab({ definition, onChange, context, view }: RulesTabProps) {
  const noteRemoval = useNoteRemoval();
  const rules = definition.rules;
  const setRules = (next: RuleDefinition[]) => onChange({ ...definition, rules: next });
  const needle = view.filter.trim().toLowerCase();
  const visible = rules
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => !needle || view.pinned.has(keyOf(rule)) || matches(rule, needle));

  function remove(index: number) {
    const position = visible.findIndex((item) => item.index === index);
    const target = visible[position + 1] ?? visible[position - 1];
    noteRemoval(`Rule “${rules[index].event?.params?.label || rules[index].name}”`);
    setRules(rules.filter((_, i) => i !== index));
    afterRender(() => {
      const targetIndex = target ? (target.index > index ? target.index - 1 : target.index) : -1;
      const summary = document.querySelector<HTMLElement>(`[data-path="rules[${targetIndex}]"] > summary`);
      (summary ?? document.querySelector<HTMLElement>('[data-add-for="rules"]'))?.focus();
    });
  }

  function add() {
    const rule = newRule(definition);
    setRules([...rules, rule]);
    view.setRuleOpen(rule, true);
    view.setFilter('');
    afterRender(() => focusPath(`rules[${rules.length}].name`));
  }

  return (
    <div>
      <div className="row center" style={{ marginBottom: '0.6rem' }}>
        <div className="field" style={{ flex: 1 }}>
          <label htmlFor="rule-filter" className="visually-hidden">
            Filter rules
          </label>
          <input
            id="rule-filter"
            type="search"
            placeholder={`Filter ${rules.length} rules by label or name`}
            value={view.filter}
            onChange={(event) => view.setFilter(event.target.value)}
          />
        </div>
        <button type="button" className="button small" onClick={() => view.setOpen(new Set(rules.map(keyOf)))}>
          Expand all
        </button>
        <button type="button" className="button small" onClick={() => view.setOpen(new Set())}>
          Collapse all
        </button>
      </div>
      {visible.length === 0 && <p className="state empty">No rule matches &ldquo;{view.filter}&rdquo;.</p>}
      {visible.map(({ rule, index }) => (
        <RuleEditor
          key={keyOf(rule)}
          rule={rule}
          index={index}
          count={rules.length}
          open={view.open.has(keyOf(rule))}
          onToggle={(isOpen) => view.setRuleOpen(rule, isOpen)}
          context={context}
          onChange={(next) => {
            if (needle) view.pin(rule);
            setRules(replaceAt(rules, index, next));
          }}
          onRemove={() => remove(index)}
          onDuplicate={() => {
            const copy = { ...structuredClone(rule), name: `${rule.name}-copy` };
            setRules([...rules.slice(0, index + 1), copy, ...rules.slice(index + 1)]);
            view.setRuleOpen(copy, true);
          }}
          onMove={(delta) => {
            const next = [...rules];
            const [moved] = next.splice(index, 1);
            next.splice(index + delta, 0, moved);
            setRules(next);
          }}
        />
      ))}
      {!context.readOnly && (
        <button type="button" className="button" data-add-for="rules" onClick={add}>
          + Add rule
        </button>
      )}
    </div>
  );
}
