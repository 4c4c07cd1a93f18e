'use client';

import { ConditionEditor, type ConditionContext } from './condition-editor';
import { newLeaf, type RuleSetDefinition, type TopLevelCondition } from './definition';
import { TextAreaField, TextField } from './fields';
import { BlockProblems, FieldProblems } from './problems';
import { useNoteRemoval } from './removal';
import type { SectionProps } from './section-panel';
import { keyOf } from './stable-keys';

export function GeneralSection({ definition, onChange, readOnly }: SectionProps) {
  return (
    <div className="stack">
      <div className="grid-2">
        <TextField
          label="Name"
          path="name"
          value={definition.name}
          readOnly={readOnly}
          onChange={(name) => onChange({ ...definition, name })}
        />
        <TextField
          label="Key"
          path="key"
          value={definition.key}
          readOnly
          hint="The rule set's key; it cannot change."
          onChange={() => undefined}
        />
      </div>
      <TextAreaField
        label="Description"
        path="description"
        value={definition.description}
        readOnly={readOnly}
        onChange={(description) => onChange({ ...definition, description })}
      />
      <h3>Facts</h3>
      <p className="muted small">What rules may test. Add or change facts in JSON mode; the rule builder offers these.</p>
      <BlockProblems path="facts" />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Fact</th>
              <th scope="col">Label</th>
              <th scope="col">Type</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {definition.facts.map((fact, index) => (
              <tr key={keyOf(fact)} data-path={`facts[${index}]`} tabIndex={-1}>
                <td>
                  <code>{fact.name}</code>
                  <FieldProblems path={`facts[${index}]`} />
                  <FieldProblems path={`facts[${index}].name`} />
                  <FieldProblems path={`facts[${index}].type`} />
                </td>
                <td>{fact.label ?? '—'}</td>
                <td>
                  <code>{fact.type}</code>
                </td>
                <td className="small">{describeSource(fact)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function describeSource(fact: RuleSetDefinition['facts'][number]): string {
  if (fact.source === 'attribute') return `attribute ${String(fact.attribute ?? fact.name)}`;
  if (fact.source === 'lead') return `lead field ${String(fact.field)}`;
  if (fact.source === 'account') return `account score ${String(fact.field)}`;
  if (fact.source === 'accountAttribute') return `account attribute ${String(fact.attribute ?? fact.name)}`;
  if (fact.source === 'contacts') return `contacts: ${String(fact.aggregate)}${fact.attribute ? ` of ${fact.attribute}` : ''}`;
  const types = Array.isArray(fact.activityTypes) ? (fact.activityTypes as string[]).join(', ') : 'all activities';
  const window = typeof fact.windowDays === 'number' ? `, last ${fact.windowDays} days` : '';
  return `${String(fact.aggregate)} of ${types}${window}`;
}

export function SharedConditionsSection({ definition, onChange, context }: SectionProps & { context: ConditionContext }) {
  const noteRemoval = useNoteRemoval();
  const shared = definition.sharedConditions ?? {};
  const names = Object.keys(shared);
  const set = (next: Record<string, RuleSetDefinition['rules'][number]['conditions']>) =>
    onChange({ ...definition, sharedConditions: next });
  return (
    <div className="stack">
      <p className="muted small">Named conditions that rules reuse (&ldquo;+ Shared condition&rdquo; in the rule builder).</p>
      {names.length === 0 && <p className="state empty">No shared conditions.</p>}
      {names.map((name) => (
        <fieldset key={name} data-path={`sharedConditions.${name}`}>
          <legend>
            <code>{name}</code>
          </legend>
          <BlockProblems path={`sharedConditions.${name}`} />
          <ConditionEditor
            condition={shared[name]}
            path={['sharedConditions', name]}
            context={context}
            onChange={(condition) => set({ ...shared, [name]: condition as TopLevelCondition })}
          />
          {!context.readOnly && (
            <button
              type="button"
              className="button small danger-outline"
              onClick={() => {
                const { [name]: _removed, ...rest } = shared;
                noteRemoval(`Shared condition “${name}”`);
                set(rest);
              }}
            >
              Delete {name}
            </button>
          )}
        </fieldset>
      ))}
      {!context.readOnly && (
        <button
          type="button"
          className="button"
          onClick={() => {
            let index = names.length + 1;
            while (shared[`shared${index}`]) index++;
            set({ ...shared, [`shared${index}`]: { any: [newLeaf(definition.facts)] } });
          }}
        >
          + Shared condition
        </button>
      )}
    </div>
  );
}
