// The `fedrec` command: dispatches to each side's command module, loaded on demand.
// Exit codes: 0 ok, 1 a runtime failure (`code: message`), 2 a usage mistake (one sentence with its
// FEDREC_* code). Neither prints a stack trace unless FEDREC_DEBUG=1.

import { suggest, UsageError, unknownWord } from './args.js';
import { packageVersion } from './version.js';

const commands: Record<string, { about: string; run: (argv: string[]) => Promise<number> }> = {
  coordinator: { about: 'run a coordinator (WebSocket server)', run: async (a) => (await import('../coordinator/cli.js')).runCoordinatorCommand(a) },
  status: { about: 'a coordinator\'s phase, clients, last rounds and ε in the terminal (--watch follows it)', run: async (a) => (await import('./status-command.js')).runStatusCommand(a) },
  client: { about: 'run a client on a local history file; `client ledger|forget|consent` manage it', run: async (a) => (await import('../client/node/cli.js')).runClientCommand(a) },
  recommend: { about: 'print the top-k unseen items for this device', run: async (a) => (await import('../client/node/cli.js')).runRecommendCommand(a) },
  demo: { about: 'try fedrec: a coordinator, simulated clients and the web app at http://127.0.0.1:PORT/', run: async (a) => (await import('../demo/cli.js')).runDemoCommand(a) },
  simulate: { about: 'simulate real clients against a real coordinator on loopback', run: async (a) => (await import('../simulations/cli.js')).runSimulateCommand(a) },
  baseline: { about: 'train the same model centrally, and ItemPop, on the same split', run: async (a) => (await import('../simulations/cli.js')).runBaselineCommand(a) },
  report: { about: 'write an HTML page and SVG charts from simulate/baseline result files', run: async (a) => (await import('../simulations/report/cli.js')).runReportCommand(a) },
  privacy: { about: 'compute ε for (q, z, T, δ), or calibrate z for a target ε', run: async (a) => (await import('./privacy-command.js')).runPrivacyCommand(a, (line) => console.log(line)) },
  keys: { about: 'make the Ed25519 key pair that signs enrollment tokens', run: async (a) => (await import('./keys-command.js')).runKeysCommand(a) },
  token: { about: '`token issue`: sign an enrollment token for one account', run: async (a) => (await import('./keys-command.js')).runTokenCommand(a) },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'usage: fedrec <command> [flags]   (fedrec <command> --help for its flags; fedrec --version)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.about}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    console.log(packageVersion());
    return 0;
  }
  if (name === 'help' && rest[0] && commands[rest[0]]) return main([rest[0], '--help']);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) return report('fedrec', name.startsWith('-') ? unknownTopFlag(name) : unknownWord('command', name, Object.keys(commands)));
  try {
    return await command.run(rest);
  } catch (err) {
    return report(`fedrec ${name}`, err);
  }
}

function unknownTopFlag(flag: string): UsageError {
  const guess = suggest(flag, ['--help', '--version']);
  return new UsageError(`unknown flag ${flag}${guess ? `; did you mean ${guess}?` : ': before a command fedrec takes only --help or --version'}`);
}

/** Prints an error as one line and gives its exit code. */
function report(prefix: string, err: unknown): number {
  const e = err as Error & { code?: unknown };
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  console.error(`${prefix}: ${code}${e?.message ?? String(err)}`);
  if (process.env.FEDREC_DEBUG === '1' && e?.stack) console.error(e.stack);
  return err instanceof UsageError ? 2 : 1;
}
