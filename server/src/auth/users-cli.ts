import { parseArgs } from 'node:util';
import { DomainError } from '../common/errors';
import type { AuthActor, AuthService } from './auth.service';
import type { UserEntity } from './user.entity';

export const USERS_USAGE = `Usage: npm run users -- <command>

  create-admin --email <email> --name <name>   creates an admin; the password is read from standard input
  list                                         lists every user
  disable <email>                              disables a user: sessions end, their API keys stop
  enable <email>                               enables a disabled user
  set-password <email>                         sets a password read from standard input; ends the user's sessions

The password is read from standard input: typed without echo at a terminal (twice), or the first
line of what is piped in (printf '%s\\n' "$PASSWORD" | npm run users -- ...).
The database is DATABASE_URL, or the embedded one in DATA_DIR (stop the service first).`;

export interface UsersCliIo {
  auth: AuthService;
  actor: AuthActor;
  /** The new password; `confirm` asks twice where it is typed. */
  readPassword(prompt: string): Promise<string>;
  print(line: string): void;
  printError(line: string): void;
}

const describeUser = (user: UserEntity): string =>
  `${user.id.padStart(4)}  ${user.email}  ${user.role}  ${user.disabledAt ? `disabled since ${user.disabledAt.toISOString()}` : 'active'}  "${user.name}"`;

/** Runs one command; returns the exit code (0 done, 1 refused or failed, 2 wrong usage). */
export async function runUsersCli(argv: string[], io: UsersCliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.printError(`${(error as Error).message}\n\n${USERS_USAGE}`);
    return 2;
  }
  const { command, positionals, values } = parsed;
  const usage = (message: string): number => {
    io.printError(`${message}\n\n${USERS_USAGE}`);
    return 2;
  };
  try {
    switch (command) {
      case 'create-admin': {
        if (!values.email || !values.name) return usage('create-admin needs --email and --name');
        // Checked before asking for a password, so a typo in the email costs no typing.
        if ((await io.auth.listUsers()).some((user) => user.email === values.email!.trim().toLowerCase())) {
          io.printError(`error: a user with email ${values.email.trim().toLowerCase()} already exists; nothing changed`);
          return 1;
        }
        const password = await io.readPassword(`Password for ${values.email}: `);
        const user = await io.auth.createUser({ email: values.email, name: values.name, role: 'admin', password }, io.actor);
        io.print(`created admin ${user.email} (id ${user.id}); sign in with signIn(email, password)`);
        return 0;
      }
      case 'list': {
        const users = await io.auth.listUsers();
        if (!users.length) io.print('no users yet: create the first admin with create-admin');
        for (const user of users) io.print(describeUser(user));
        return 0;
      }
      case 'disable':
      case 'enable':
      case 'set-password': {
        if (positionals.length !== 1) return usage(`${command} needs one email`);
        const user = await io.auth.userByEmail(positionals[0]);
        if (command === 'set-password') {
          const password = await io.readPassword(`New password for ${user.email}: `);
          await io.auth.setPassword(io.actor, user.email, password);
          io.print(`password of ${user.email} set; their sessions were ended`);
        } else if (command === 'disable') {
          const after = await io.auth.disableUser(io.actor, user.id);
          io.print(
            user.disabledAt
              ? `${user.email} was already disabled`
              : `disabled ${after.email}: sessions ended, API keys they created stopped`,
          );
        } else {
          const after = await io.auth.enableUser(io.actor, user.id);
          io.print(user.disabledAt ? `enabled ${after.email}` : `${user.email} was already active`);
        }
        return 0;
      }
      default:
        return usage(command ? `unknown command "${command}"` : 'give a command');
    }
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    io.printError(`error: ${error.message}; nothing changed`);
    return 1;
  }
}

function parse(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { email: { type: 'string' }, name: { type: 'string' } },
  });
  const [command, ...rest] = positionals;
  return { command, positionals: rest, values };
}
