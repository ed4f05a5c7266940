// `fedrec report FILE.json... --out DIR [--title TEXT]`: charts and a page from the result files of
// `fedrec simulate --out` and `fedrec baseline --out`. Every path and file is checked before anything
// is written (one coded sentence, exit code 2), so a bad argument never leaves half a report.

import { constants } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFlags, required, UsageError } from '../../bin/args.js';
import { checkDirFlag, checkInputFile, reason } from '../../bin/path-checks.js';
import { ErrorCodes } from '../../shared/protocol/errors.js';
import { buildReport, defaultTitle } from './report.js';
import { readResultFile } from './result-files.js';

export const reportUsage = `fedrec report FILE.json... --out DIR [--title TEXT]
  FILE.json: results of fedrec simulate --out (runs) and fedrec baseline --out (central MF and ItemPop,
  drawn as reference lines on the HR@10 charts of runs on the same population).
  Writes DIR/index.html (self-contained) and SVG charts: per run HR@10/NDCG@10 and ε per round; across
  runs with a finite ε, the privacy–utility curve (final HR@10 against final ε).`;

const flags = { out: { type: 'string' }, title: { type: 'string' } } as const;

/**
 * Splits file names from flags so the shared parser (did-you-mean, one-sentence errors) sees only
 * flags: a word is a flag's value when it follows a value-taking flag written without "=".
 */
function splitArgs(argv: string[]): { files: string[]; flagArgs: string[] } {
  const files: string[] = [];
  const flagArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      files.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      files.push(a);
      continue;
    }
    flagArgs.push(a);
    const name = a.replace(/^--?/, '');
    if (name in flags && !a.includes('=') && i + 1 < argv.length) flagArgs.push(argv[++i]);
  }
  return { files, flagArgs };
}

/** The output directory: created now, and it must be writable. */
async function prepareOutputDir(dir: string): Promise<void> {
  await checkDirFlag('--out', dir);
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new UsageError(`--out ${dir} cannot be written: ${reason(err)}`, ErrorCodes.BAD_PATH);
  }
}

export async function runReportCommand(argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const { files, flagArgs } = splitArgs(argv);
  const { values } = parseFlags(flagArgs, flags);
  if (values.help) {
    out(reportUsage);
    return 0;
  }
  if (files.length === 0) throw new UsageError('give at least one result file: fedrec report FILE.json... --out DIR');
  const dir = required(values, 'out', 'DIR');
  for (const f of files) await checkInputFile('result file', f);
  const results = [];
  for (const f of files) results.push(await readResultFile(f));
  await prepareOutputDir(dir);
  const written = buildReport(results, values.title ?? defaultTitle);
  for (const f of written) await writeFile(join(dir, f.name), f.content);
  const charts = written.filter((f) => f.name.endsWith('.svg')).length;
  out(`wrote ${join(dir, 'index.html')} and ${charts} chart(s) from ${files.length} file(s)`);
  return 0;
}
