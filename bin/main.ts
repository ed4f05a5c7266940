// The `fedrec` command: dispatches to each side's command module, loaded on demand.

import { UsageError } from './args.js';

const commands: Record<string, { about: string; run: (argv: string[]) => Promise<number> }> = {
  coordinator: { about: 'run a coordinator (WebSocket server)', run: async (a) => (await import('../coordinator/cli.js')).runCoordinatorCommand(a) },
  client: { about: 'run a client on a local history file; `client ledger|forget|consent` manage it', run: async (a) => (await import('../client/node/cli.js')).runClientCommand(a) },
  recommend: { about: 'print the top-k unseen items for this device', run: async (a) => (await import('../client/node/cli.js')).runRecommendCommand(a) },
  simulate: { about: 'simulate real clients against a real coordinator on loopback', run: async (a) => (await import('../simulations/cli.js')).runSimulateCommand(a) },
  baseline: { about: 'train the same model centrally, and ItemPop, on the same split', run: async (a) => (await import('../simulations/cli.js')).runBaselineCommand(a) },
  privacy: { about: 'compute ε for (q, z, T, δ), or calibrate z for a target ε', run: async (a) => (await import('./privacy-command.js')).runPrivacyCommand(a, (line) => console.log(line)) },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return ['usage: fedrec <command> [flags]   (fedrec <command> --help for its flags)', '', ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.about}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`fedrec: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`fedrec ${name}: ${err.message}`);
      return 2;
    }
    const e = err as Error & { code?: string };
    console.error(`fedrec ${name}: ${e.code ? `${e.code}: ` : ''}${e.message}`);
    if (process.env.FEDREC_DEBUG) console.error(e.stack);
    return 1;
  }
}
