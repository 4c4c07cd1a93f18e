/**
 * `npm run rules -- apply-suggestions <runId> ...`: applyBacktestSuggestions from the command line
 * (the rules CLI hands over its GraphQL client).
 */
export const APPLY_SUGGESTIONS_USAGE = `  apply-suggestions <runId> [--rules a,b] [--candidates x,y | --all-candidates]
                  [--keep-mql-share | --mqls-per-week N]
                                  turn a backtest's suggestions into a new draft (default: every rule
                                  with a suggestion, no candidate rules, today's MQL share)`;

const APPLY = `mutation($input: ApplyBacktestSuggestionsInput!) { applyBacktestSuggestions(input: $input) {
  version { id version ruleSetKey definition }
  evidence { notes mqlShareBefore mqlShareAfter mqlsPerWeekBefore mqlsPerWeekAfter appliedRules { rule from to } addedCandidates { rule points }
    thresholds { qualificationBefore qualificationAfter }
    holdout { leads converted activeVersion active { auc } draft { auc } } } } }`;

interface Applied {
  applyBacktestSuggestions: {
    version: { id: string; version: number; ruleSetKey: string };
    evidence: {
      notes: string[];
      mqlShareBefore: number;
      mqlShareAfter: number;
      mqlsPerWeekBefore: number | null;
      mqlsPerWeekAfter: number | null;
      appliedRules: Array<{ rule: string; from: number; to: number }>;
      addedCandidates: Array<{ rule: string; points: number }>;
      thresholds: { qualificationBefore: number; qualificationAfter: number };
      holdout: { leads: number; converted: number; activeVersion: number; active: { auc: number | null }; draft: { auc: number | null } };
    };
  };
}

const list = (value: string | undefined) =>
  value === undefined
    ? null
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const auc = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

export async function applySuggestionsCommand(
  args: string[],
  call: <T>(query: string, variables: Record<string, unknown>) => Promise<T>,
  print: (line: string) => void,
): Promise<number> {
  const [runId] = args;
  const value = (name: string) => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const perWeek = value('--mqls-per-week');
  if (
    !runId ||
    runId.startsWith('--') ||
    (perWeek !== undefined && args.includes('--keep-mql-share')) ||
    (perWeek !== undefined && !/^\d+$/.test(perWeek))
  ) {
    print(`error: usage:\n${APPLY_SUGGESTIONS_USAGE}`);
    return 2;
  }
  const input = {
    runId,
    rules: list(value('--rules')),
    candidates: list(value('--candidates')),
    allCandidates: args.includes('--all-candidates') || null,
    target: perWeek !== undefined ? { mqlsPerWeek: Number(perWeek) } : { keepMqlShare: true },
  };
  const { applyBacktestSuggestions: applied } = await call<Applied>(APPLY, { input });
  const { version, evidence } = applied;
  print(`created draft v${version.version} of ${version.ruleSetKey} (version id ${version.id}) from backtest ${runId}`);
  for (const rule of evidence.appliedRules) print(`  ${rule.rule}: ${rule.from} -> ${rule.to}`);
  for (const rule of evidence.addedCandidates) print(`  + ${rule.rule}: ${rule.points}`);
  for (const note of evidence.notes) print(`  note: ${note}`);
  const weekly =
    evidence.mqlsPerWeekBefore === null
      ? ''
      : ` (${evidence.mqlsPerWeekBefore.toFixed(0)} -> ${evidence.mqlsPerWeekAfter!.toFixed(0)} a week)`;
  print(
    `qualification threshold ${evidence.thresholds.qualificationBefore} -> ${evidence.thresholds.qualificationAfter}; MQL share ${percent(evidence.mqlShareBefore)} -> ${percent(evidence.mqlShareAfter)}${weekly}`,
  );
  const h = evidence.holdout;
  print(
    `holdout (${h.leads} leads, ${h.converted} converted): AUC active v${h.activeVersion} ${auc(h.active.auc)}, draft ${auc(h.draft.auc)}`,
  );
  return 0;
}
