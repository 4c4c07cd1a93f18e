/** Summary lines of the document's sections: facts, decay, caps, thresholds, bands, cells, document fields. */

import { CELLS, type DecayDefinition } from '../../engine/ruleset-definition';
import { arrow, formatValue, quote } from './diff-text';
import type { CellChange, FieldChange } from './diff-types';
import { isRecord, type Json, jsonEqual, orderedKeys, unionKeys } from './json-diff';

export const FACT_FIELD_TEXT: Record<string, string> = {
  windowDays: 'window (days)',
  activityTypes: 'activity types',
};

function describeDecay(decay: unknown): string {
  if (!isRecord(decay)) return formatValue(decay);
  const grace = `after ${formatValue(decay.graceDays)} grace days`;
  if (decay.model === 'none') return 'no decay';
  if (decay.model === 'halfLife') return `halves every ${formatValue(decay.halfLifeDays)} days ${grace}`;
  if (decay.model === 'linear') return `loses ${formatValue(decay.pointsPerDay)} points per day ${grace}`;
  return JSON.stringify(decay);
}

export function decayLines(before: DecayDefinition, after: DecayDefinition, changes: FieldChange[]): string[] {
  if (changes.length === 0) return [];
  const beforeModel = isRecord(before) ? before.model : undefined;
  const afterModel = isRecord(after) ? after.model : undefined;
  if (beforeModel !== afterModel) return [`Decay ${describeDecay(before)} → ${describeDecay(after)}`];
  return changes.map((change) => {
    switch (change.path) {
      case 'decay.halfLifeDays':
        return `Decay half-life ${arrow(change.old, change.new)} days`;
      case 'decay.graceDays':
        return `Decay grace period ${arrow(change.old, change.new)} days`;
      case 'decay.pointsPerDay':
        return `Decay points per day ${arrow(change.old, change.new)}`;
      default:
        return `${change.path} ${arrow(change.old, change.new)}`;
    }
  });
}

export function capLine(change: FieldChange): string {
  const match = /^caps\.(fit|engagement)\.(min|max)$/.exec(change.path);
  if (!match) return `${change.path} ${arrow(change.old, change.new)}`;
  return `${match[2] === 'max' ? 'Maximum' : 'Minimum'} ${match[1]} points ${arrow(change.old, change.new)}`;
}

export function thresholdLine(change: FieldChange, section: 'grades' | 'levels'): string {
  const match = new RegExp(`^${section}\\.(\\w+)$`).exec(change.path);
  if (!match) return `${change.path} ${arrow(change.old, change.new)}`;
  return `${section === 'grades' ? 'Grade' : 'Level'} ${match[1]} threshold ${arrow(change.old, change.new)}`;
}

interface BandLike {
  name: string;
  min?: number;
}

export function bandLines(before: unknown, after: unknown): string[] {
  const toBands = (value: unknown): BandLike[] =>
    Array.isArray(value) ? value.filter((band): band is BandLike => isRecord(band) && typeof band.name === 'string') : [];
  const oldBands = toBands(before);
  const newBands = toBands(after);
  const oldByName = new Map(oldBands.map((band) => [band.name, band]));
  const newByName = new Map(newBands.map((band) => [band.name, band]));
  const from = (band: BandLike): string => (band.min === undefined ? 'below the others' : `from ${band.min} points`);
  const lines: string[] = [];
  for (const band of newBands) {
    const old = oldByName.get(band.name);
    if (!old) lines.push(`Added band ${quote(band.name)} (${from(band)})`);
    else if (!jsonEqual(old, band)) {
      for (const key of unionKeys(old as unknown as Json, band as unknown as Json)) {
        const oldValue = (old as unknown as Json)[key];
        const newValue = (band as unknown as Json)[key];
        if (jsonEqual(oldValue, newValue)) continue;
        const what = key === 'min' ? 'minimum' : key;
        lines.push(`Band ${quote(band.name)} ${what} ${arrow(oldValue, newValue)}`);
      }
    }
  }
  for (const band of oldBands) if (!newByName.has(band.name)) lines.push(`Removed band ${quote(band.name)}`);
  const commonOld = oldBands.filter((band) => newByName.has(band.name)).map((band) => band.name);
  const commonNew = newBands.filter((band) => oldByName.has(band.name)).map((band) => band.name);
  if (!jsonEqual(commonOld, commonNew)) {
    lines.push(`Bands reordered: ${commonOld.join(', ')} → ${commonNew.join(', ')}`);
  }
  return lines;
}

export function cellOrder(keys: Iterable<string>): string[] {
  const all = new Set(keys);
  const known = CELLS.filter((cell) => all.has(cell));
  const extra = [...all].filter((cell) => !CELLS.includes(cell)).sort();
  return [...known, ...extra];
}

export function cellLines(change: CellChange): string[] {
  const { cell } = change;
  if (!change.old && change.new) return [`Cell ${cell} set to ${change.new.action} (${quote(change.new.label)})`];
  if (change.old && !change.new) return [`Cell ${cell} removed`];
  const oldCell = (change.old ?? {}) as unknown as Json;
  const newCell = (change.new ?? {}) as unknown as Json;
  const lines: string[] = [];
  for (const key of orderedKeys(oldCell, newCell, ['action', 'label'])) {
    if (jsonEqual(oldCell[key], newCell[key])) continue;
    if (key === 'action') lines.push(`Cell ${cell} action ${String(oldCell.action)} → ${String(newCell.action)}`);
    else lines.push(`Cell ${cell} ${key} ${arrow(oldCell[key], newCell[key])}`);
  }
  return lines;
}

export function documentLine(change: FieldChange): string {
  switch (change.path) {
    case 'name':
      return `Name ${arrow(change.old, change.new)}`;
    case 'key':
      return `Key ${arrow(change.old, change.new)}`;
    case 'formatVersion':
      return `Format version ${arrow(change.old, change.new)}`;
    case 'description':
      if (change.old === undefined) return 'Description added';
      if (change.new === undefined) return 'Description removed';
      return 'Description changed';
    default:
      return `${change.path} ${arrow(change.old, change.new)}`;
  }
}
