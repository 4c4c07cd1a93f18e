import 'reflect-metadata';
import os from 'node:os';
import { AuditService } from '../server/src/audit/audit.service';
import { AuthService } from '../server/src/auth/auth.service';
import { runUsersCli } from '../server/src/auth/users-cli';
import { createDataSource } from '../server/src/db/data-source';
import { databaseConfigFromEnv, describeDatabase } from '../server/src/db/database-config';

/** `npm run users -- create-admin | list | disable | enable | set-password` (see USERS_USAGE). */

/** Typed at a terminal without echo; Ctrl-C cancels. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          done();
          resolve(value);
          return;
        }
        if (char === '\u0003' || char === '\u0004') {
          done();
          reject(new Error('cancelled'));
          return;
        }
        value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
      }
    };
    stdin.on('data', onData);
  });
}

let piped: Promise<string> | null = null;
async function readPassword(prompt: string): Promise<string> {
  if (process.stdin.isTTY) {
    const first = await promptHidden(prompt);
    if ((await promptHidden('Again: ')) !== first) throw new Error('the two passwords differ; nothing changed');
    return first;
  }
  // Piped: the first line, without its line break.
  piped ??= (async () => {
    let text = '';
    process.stdin.setEncoding('utf8');
    for await (const chunk of process.stdin) text += chunk;
    return text.split(/\r?\n/)[0];
  })();
  return piped;
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown'; // no passwd entry (some containers)
  }
}

const config = databaseConfigFromEnv();
const dataSource = createDataSource(config);
let code = 1;
try {
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  console.error(`database: ${describeDatabase(config)}`);
  const auth = new AuthService(dataSource, new AuditService(dataSource));
  code = await runUsersCli(process.argv.slice(2), {
    auth,
    actor: { name: `cli:${osUser()}`, userId: null },
    readPassword,
    print: (line) => console.log(line),
    printError: (line) => console.error(line),
  });
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
} finally {
  if (dataSource.isInitialized) await dataSource.destroy();
}
process.exit(code);
