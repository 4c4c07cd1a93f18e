'use client';

import type { BandDefinition, DecayDefinition } from './definition';
import { NumberField, SelectField, TextField } from './fields';
import { BlockProblems } from './problems';
import type { SectionProps } from './section-panel';
import { keyOf, replaceAt } from './stable-keys';

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
