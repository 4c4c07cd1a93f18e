import type { BacktestOpenLeads, RunBacktestInput } from '@/gql/graphql';

/** The cohort and options of a backtest, as the form edits them. */
export interface BacktestSettings {
  createdFrom: string;
  createdTo: string;
  cutoffMode: 'days' | 'date';
  cutoffDays: number;
  cutoffAt: string;
  segment: string;
  source: string;
  openLeads: BacktestOpenLeads;
  cohortId: string;
}

const KEY = 'lead-scoring.backtest.settings';
const DAY = 86_400_000;

const isoDate = (time: number) => new Date(time).toISOString().slice(0, 10);

export function defaultSettings(now = Date.now()): BacktestSettings {
  return {
    createdFrom: isoDate(now - 180 * DAY),
    createdTo: isoDate(now),
    cutoffMode: 'days',
    cutoffDays: 14,
    cutoffAt: isoDate(now),
    segment: '',
    source: '',
    openLeads: 'NOT_CONVERTED',
    cohortId: '',
  };
}

/** The settings of the last backtest run from this browser, so that a rerun is one click. */
export function readSettings(): BacktestSettings {
  try {
    const raw = window.localStorage.getItem(KEY);
    return raw ? { ...defaultSettings(), ...(JSON.parse(raw) as Partial<BacktestSettings>) } : defaultSettings();
  } catch {
    return defaultSettings();
  }
}

export function writeSettings(settings: BacktestSettings): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(settings));
  } catch {
    // Not kept: the next run starts from the defaults.
  }
}

/** The cohort part of runBacktest's input. */
export function cohortInput(settings: BacktestSettings): Pick<RunBacktestInput, 'cohort' | 'cohortId' | 'openLeads'> {
  if (settings.cohortId) return { cohortId: settings.cohortId, openLeads: settings.openLeads };
  return {
    openLeads: settings.openLeads,
    cohort: {
      createdFrom: new Date(`${settings.createdFrom}T00:00:00Z`).toISOString(),
      createdTo: new Date(`${settings.createdTo}T00:00:00Z`).toISOString(),
      ...(settings.cutoffMode === 'days'
        ? { cutoffDaysAfterCreation: settings.cutoffDays }
        : { cutoffAt: new Date(`${settings.cutoffAt}T00:00:00Z`).toISOString() }),
      ...(settings.segment.trim() ? { segment: settings.segment.trim() } : {}),
      ...(settings.source.trim() ? { source: settings.source.trim() } : {}),
    },
  };
}
