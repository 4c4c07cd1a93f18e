import { APPLY_SUGGESTIONS_USAGE, applySuggestionsCommand } from '../server/src/backtests/apply-suggestions-cli';
import { type RulesCliCommand, runRulesCli } from '../server/src/rulesets/rules-cli';

/** Commands of higher domains, added here: rulesets/ may not import backtests/. */
const RULES_COMMANDS: Record<string, RulesCliCommand> = {
  'apply-suggestions': { usage: APPLY_SUGGESTIONS_USAGE, run: applySuggestionsCommand },
};

/** `npm run rules -- validate | push | pull | diff | apply-suggestions` (see USAGE in server/src/rulesets/rules-cli.ts). */
const code = await runRulesCli(
  process.argv.slice(2),
  {
    url: process.env.LS_API_URL ?? 'http://127.0.0.1:4000/graphql',
    token: process.env.LS_TOKEN,
    email: process.env.LS_EMAIL,
    password: process.env.LS_PASSWORD,
    print: (line) => console.log(line),
  },
  RULES_COMMANDS,
);
process.exit(code);
