// Typed errors for population loading, so the CLI can print one clear line (and tests can match
// on `code`) instead of a stack trace from deep inside a parser.

/** A data file that cannot be used: missing, empty, unknown format or a malformed line. */
export class BadDataFileError extends Error {
  readonly code = 'FEDREC_BAD_DATA_FILE';

  /** `line` is 1-based; 0 when the problem is with the file as a whole (e.g. it cannot be read). */
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(line > 0 ? `${file}: line ${line}: ${problem}` : `${file}: ${problem}`);
    this.name = 'BadDataFileError';
  }
}

/** A `--population` spec that does not parse, e.g. `synthetic:users=abc`. */
export class BadPopulationSpecError extends Error {
  readonly code = 'FEDREC_BAD_POPULATION_SPEC';

  constructor(
    readonly spec: string,
    readonly problem: string,
  ) {
    super(`bad population spec "${spec}": ${problem}`);
    this.name = 'BadPopulationSpecError';
  }
}
