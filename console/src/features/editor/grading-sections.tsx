'use client';

import type { ReactNode } from 'react';
import { CELLS, GRADES, LEVELS } from './definition';
import { NumberField, TextAreaField, TextField } from './fields';
import { BlockProblems, FieldProblems } from './problems';
import type { SectionProps } from './section-panel';

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

function Row({ grade, children }: { grade: string; children: ReactNode }) {
  return (
    <>
      <span className="axis">Grade {grade}</span>
      {children}
    </>
  );
}
