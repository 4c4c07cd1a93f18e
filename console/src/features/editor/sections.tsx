'use client';

import { ConditionEditor, type ConditionContext } from './condition-editor';
import {
  CELLS,
  GRADES,
  LEVELS,
  newLeaf,
  type BandDefinition,
  type DecayDefinition,
  type RuleSetDefinition,
  type TopLevelCondition,
} from './definition';
import { NumberField, SelectField, TextAreaField, TextField } from './fields';
import { BlockProblems, FieldProblems } from './problems';
import { keyOf, replaceAt } from './stable-keys';

interface SectionProps {
  definition: RuleSetDefinition;
  onChange(definition: RuleSetDefinition): void;
  readOnly: boolean;
}

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
  const types = Array.isArray(fact.activityTypes) ? (fact.activityTypes as string[]).join(', ') : 'all activities';
  const window = typeof fact.windowDays === 'number' ? `, last ${fact.windowDays} days` : '';
  return `${String(fact.aggregate)} of ${types}${window}`;
}

export function SharedConditionsSection({ definition, onChange, context }: SectionProps & { context: ConditionContext }) {
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

export function ThresholdsSection({ definition, onChange, readOnly }: SectionProps) {
  return (
    <div className="grid-2">
      <fieldset>
        <legend>Fit grades</legend>
        <p className="muted small">
          Fit at or above A&rsquo;s threshold is A, else at or above B is B, else C, else D. Thresholds descend.
        </p>
        <div className="grid-3">
          {(['A', 'B', 'C'] as const).map((grade) => (
            <NumberField
              key={grade}
              label={`Grade ${grade} from`}
              path={`grades.${grade}`}
              value={definition.grades?.[grade]}
              readOnly={readOnly}
              onChange={(value) => onChange({ ...definition, grades: { ...definition.grades, [grade]: value as number } })}
            />
          ))}
        </div>
        <p className="muted small">D: below {definition.grades?.C ?? '?'}.</p>
      </fieldset>
      <fieldset>
        <legend>Engagement levels</legend>
        <p className="muted small">Engagement (after decay) at or above level 1&rsquo;s threshold is 1, and so on; below level 3 is 4.</p>
        <div className="grid-3">
          {(['1', '2', '3'] as const).map((level) => (
            <NumberField
              key={level}
              label={`Level ${level} from`}
              path={`levels.${level}`}
              value={definition.levels?.[level]}
              readOnly={readOnly}
              onChange={(value) => onChange({ ...definition, levels: { ...definition.levels, [level]: value as number } })}
            />
          ))}
        </div>
        <p className="muted small">Level 4: below {definition.levels?.['3'] ?? '?'}.</p>
      </fieldset>
    </div>
  );
}

export function CellsSection({ definition, onChange, readOnly }: SectionProps) {
  const cells = definition.cells ?? {};
  const actions = [...new Set(CELLS.map((cell) => cells[cell]?.action).filter(Boolean))];
  const setCell = (cell: string, member: 'action' | 'label', value: string) =>
    onChange({ ...definition, cells: { ...cells, [cell]: { ...(cells[cell] ?? { action: '', label: '' }), [member]: value } } });
  return (
    <div>
      <p className="muted small">
        Each of the 16 cells (fit grade × engagement level) has a machine-readable action for integrations and a label for people.
      </p>
      <BlockProblems path="cells" />
      <fieldset className="cells-editor" aria-label="Action grid">
        <span />
        {LEVELS.map((level) => (
          <span key={level} className="axis col">
            Level {level}
          </span>
        ))}
        {GRADES.map((grade) => (
          <Row key={grade} grade={grade}>
            {LEVELS.map((level) => {
              const cell = `${grade}${level}`;
              return (
                <fieldset key={cell} className="cell-box" data-path={`cells.${cell}`}>
                  <legend className="cell-tag">{cell}</legend>
                  <TextField
                    label={`${cell} action`}
                    hideLabel
                    path={`cells.${cell}.action`}
                    value={cells[cell]?.action}
                    readOnly={readOnly}
                    list="cell-actions"
                    placeholder="action"
                    onChange={(value) => setCell(cell, 'action', value)}
                  />
                  <TextAreaField
                    label={`${cell} label`}
                    hideLabel
                    rows={2}
                    path={`cells.${cell}.label`}
                    value={cells[cell]?.label}
                    readOnly={readOnly}
                    placeholder="label for people"
                    onChange={(value) => setCell(cell, 'label', value)}
                  />
                  <FieldProblems path={`cells.${cell}`} />
                </fieldset>
              );
            })}
          </Row>
        ))}
      </fieldset>
      <datalist id="cell-actions">
        {actions.map((action) => (
          <option key={action} value={action} />
        ))}
      </datalist>
    </div>
  );
}

function Row({ grade, children }: { grade: string; children: React.ReactNode }) {
  return (
    <>
      <span className="axis">Grade {grade}</span>
      {children}
    </>
  );
}

export function BandsSection({ definition, onChange, readOnly }: SectionProps) {
  const bands = definition.bands ?? [];
  const setBands = (next: BandDefinition[]) => onChange({ ...definition, bands: next });
  const move = (index: number, delta: number) => {
    const next = [...bands];
    const [band] = next.splice(index, 1);
    next.splice(index + delta, 0, band);
    setBands(next);
  };
  return (
    <div className="grid-2">
      <fieldset>
        <legend>Bands</legend>
        <p className="muted small">
          From highest to lowest: a lead is in the first band whose minimum its total reaches. The last band has no minimum.
        </p>
        <BlockProblems path="bands" />
        {bands.map((band, index) => (
          <div className="row" key={keyOf(band)} data-path={`bands[${index}]`}>
            <TextField
              label={`Band ${index + 1} name`}
              path={`bands[${index}].name`}
              value={band.name}
              readOnly={readOnly}
              onChange={(name) => setBands(replaceAt(bands, index, { ...band, name }))}
            />
            <NumberField
              label={index === bands.length - 1 ? 'Minimum (none for the last)' : 'Minimum total'}
              path={`bands[${index}].min`}
              value={band.min}
              readOnly={readOnly}
              onChange={(min) => setBands(replaceAt(bands, index, min === undefined ? { name: band.name } : { ...band, min }))}
            />
            {!readOnly && (
              <span className="row center" style={{ gap: '0.2rem', paddingBottom: '0.3rem' }}>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Move band ${band.name} up`}
                  disabled={index === 0}
                  onClick={() => move(index, -1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Move band ${band.name} down`}
                  disabled={index === bands.length - 1}
                  onClick={() => move(index, 1)}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Remove band ${band.name}`}
                  onClick={() => setBands(bands.filter((_, i) => i !== index))}
                >
                  ✕
                </button>
              </span>
            )}
          </div>
        ))}
        {!readOnly && (
          <button type="button" className="button small" onClick={() => setBands([...bands, { name: `band${bands.length + 1}` }])}>
            + Band
          </button>
        )}
      </fieldset>
      <fieldset>
        <legend>Qualification</legend>
        <p className="muted small">A lead whose total reaches the threshold is qualified.</p>
        <div className="grid-2">
          <NumberField
            label="Threshold (total points)"
            path="qualification.threshold"
            value={definition.qualification?.threshold}
            readOnly={readOnly}
            onChange={(threshold) =>
              onChange({ ...definition, qualification: { ...definition.qualification, threshold: threshold as number } })
            }
          />
          <TextField
            label="Label"
            path="qualification.label"
            value={definition.qualification?.label}
            readOnly={readOnly}
            onChange={(label) => onChange({ ...definition, qualification: { ...definition.qualification, label } })}
          />
        </div>
      </fieldset>
    </div>
  );
}

const DECAY_DEFAULTS: Record<DecayDefinition['model'], DecayDefinition> = {
  none: { model: 'none' },
  halfLife: { model: 'halfLife', halfLifeDays: 30, graceDays: 7 },
  linear: { model: 'linear', pointsPerDay: 2, graceDays: 7 },
};

export function CapsDecaySection({ definition, onChange, readOnly }: SectionProps) {
  const decay = definition.decay ?? DECAY_DEFAULTS.none;
  const setDecay = (next: DecayDefinition) => onChange({ ...definition, decay: next });
  return (
    <div className="grid-2">
      <fieldset>
        <legend>Caps</legend>
        <p className="muted small">Each dimension&rsquo;s points are kept within these bounds (before decay).</p>
        {(['fit', 'engagement'] as const).map((dimension) => (
          <div className="row" key={dimension}>
            {(['min', 'max'] as const).map((bound) => (
              <NumberField
                key={bound}
                label={`${dimension === 'fit' ? 'Fit' : 'Engagement'} ${bound === 'min' ? 'minimum' : 'maximum'}`}
                path={`caps.${dimension}.${bound}`}
                value={definition.caps?.[dimension]?.[bound]}
                readOnly={readOnly}
                onChange={(value) =>
                  onChange({
                    ...definition,
                    caps: { ...definition.caps, [dimension]: { ...definition.caps?.[dimension], [bound]: value as number } },
                  })
                }
              />
            ))}
          </div>
        ))}
      </fieldset>
      <fieldset>
        <legend>Decay</legend>
        <p className="muted small">How positive engagement fades while the lead is quiet.</p>
        <SelectField<DecayDefinition['model']>
          label="Model"
          path="decay.model"
          value={decay.model}
          readOnly={readOnly}
          options={[
            { value: 'none', label: 'None: engagement does not fade' },
            { value: 'halfLife', label: 'Half-life: halves every N days' },
            { value: 'linear', label: 'Linear: loses N points a day' },
          ]}
          onChange={(model) => setDecay(DECAY_DEFAULTS[model])}
        />
        {decay.model === 'halfLife' && (
          <div className="row">
            <NumberField
              label="Half-life (days)"
              path="decay.halfLifeDays"
              value={decay.halfLifeDays}
              readOnly={readOnly}
              onChange={(value) => setDecay({ ...decay, halfLifeDays: value as number })}
            />
            <NumberField
              label="Grace period (days)"
              path="decay.graceDays"
              value={decay.graceDays}
              readOnly={readOnly}
              onChange={(value) => setDecay({ ...decay, graceDays: value as number })}
            />
          </div>
        )}
        {decay.model === 'linear' && (
          <div className="row">
            <NumberField
              label="Points per day"
              path="decay.pointsPerDay"
              value={decay.pointsPerDay}
              readOnly={readOnly}
              onChange={(value) => setDecay({ ...decay, pointsPerDay: value as number })}
            />
            <NumberField
              label="Grace period (days)"
              path="decay.graceDays"
              value={decay.graceDays}
              readOnly={readOnly}
              onChange={(value) => setDecay({ ...decay, graceDays: value as number })}
            />
          </div>
        )}
        <BlockProblems path="decay" />
      </fieldset>
    </div>
  );
}
