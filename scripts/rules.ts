import { runRulesCli } from '../server/src/rulesets/rules-cli';

/** `npm run rules -- validate | push | pull | diff` (see USAGE in server/src/rulesets/rules-cli.ts). */
const code = await runRulesCli(process.argv.slice(2), {
  url: process.env.LS_API_URL ?? 'http://127.0.0.1:4000/graphql',
  token: process.env.LS_TOKEN,
  email: process.env.LS_EMAIL,
  password: process.env.LS_PASSWORD,
  print: (line) => console.log(line),
});
process.exit(code);
