'use client';

import { signed } from '@/lib/format';
import { ConditionEditor, type ConditionContext } from './condition-editor';
import type { Condition, Dimension, RuleDefinition, TopLevelCondition } from './definition';
import { NumberField, SelectField, TextField } from './fields';
import styles from './editor.module.css';
import { BlockProblems, useProblems } from './problems';

interface RuleEditorProps {
  rule: RuleDefinition;
  index: number;
  count: number;
  open: boolean;
  onToggle(open: boolean): void;
  context: ConditionContext;
  onChange(rule: RuleDefinition): void;
  onRemove(): void;
  onDuplicate(): void;
  onMove(delta: -1 | 1): void;
}

/** One scoring rule: its label, points, dimension and condition tree, in a collapsible card. */
export function RuleEditor({ rule, index, count, open, onToggle, context, onChange, onRemove, onDuplicate, onMove }: RuleEditorProps) {
  const base = `rules[${index}]`;
  const problems = useProblems().under(base);
  const params = rule.event?.params ?? { dimension: 'fit', points: 0, label: '' };
  const setParams = (next: Partial<typeof params>) =>
    onChange({ ...rule, event: { ...rule.event, type: 'score', params: { ...params, ...next } } });
  const points = typeof params.points === 'number' ? params.points : 0;

  return (
    <details
      className={`rule-card ${problems.length ? 'has-problems' : ''}`}
      open={open || problems.length > 0}
      data-path={base}
      data-testid="rule-card"
      onToggle={(event) => onToggle((event.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>
        <span className={points >= 0 ? 'points-pos' : 'points-neg'}>{signed(points)}</span>
        <span className="badge">{params.dimension}</span>
        <span>{params.label || <em className="muted">no label</em>}</span>
        <code className="muted small">{rule.name}</code>
        {problems.length > 0 && (
          <span className="badge removed">
            {problems.length} problem{problems.length === 1 ? '' : 's'}
          </span>
        )}
      </summary>
      {(open || problems.length > 0) && (
        <div className="rule-body">
          <div className={styles.ruleFields}>
            <TextField
              label="Name"
              path={`${base}.name`}
              value={rule.name}
              readOnly={context.readOnly}
              onChange={(name) => onChange({ ...rule, name })}
            />
            <TextField
              label="Label (what sales reads)"
              className={styles.wideField}
              path={`${base}.event.params.label`}
              value={params.label}
              readOnly={context.readOnly}
              onChange={(label) => setParams({ label })}
            />
            <NumberField
              label="Points"
              className={styles.narrowField}
              path={`${base}.event.params.points`}
              value={params.points}
              readOnly={context.readOnly}
              onChange={(value) => setParams({ points: value as number })}
            />
            <SelectField<Dimension>
              label="Dimension"
              className={styles.wholeField}
              path={`${base}.event.params.dimension`}
              value={params.dimension}
              readOnly={context.readOnly}
              options={[
                { value: 'fit', label: 'Fit (who they are)' },
                { value: 'engagement', label: 'Engagement (what they did)' },
              ]}
              onChange={(dimension) => setParams({ dimension })}
            />
          </div>
          <h4 className="small" style={{ margin: '0.8rem 0 0.2rem' }}>
            When
          </h4>
          <BlockProblems path={`${base}.conditions`} />
          <ConditionEditor
            condition={rule.conditions}
            path={['rules', index, 'conditions']}
            context={context}
            onChange={(conditions: Condition) => onChange({ ...rule, conditions: conditions as TopLevelCondition })}
          />
          {!context.readOnly && (
            <div className="row center" style={{ marginTop: '0.6rem' }}>
              <button
                type="button"
                className="button small"
                onClick={() => onMove(-1)}
                disabled={index === 0}
                aria-label={`Move rule ${rule.name} up`}
              >
                ↑ Up
              </button>
              <button
                type="button"
                className="button small"
                onClick={() => onMove(1)}
                disabled={index === count - 1}
                aria-label={`Move rule ${rule.name} down`}
              >
                ↓ Down
              </button>
              <button type="button" className="button small" onClick={onDuplicate}>
                Duplicate
              </button>
              <span className="spacer" />
              <button type="button" className="button small danger-outline" onClick={onRemove}>
                Delete rule
              </button>
            </div>
          )}
        </div>
      )}
    </details>
  );
}
