// RFC 4180 CSV records: fields in double quotes may hold commas, line breaks and doubled quotes ("").
// Lenient where real files are: CRLF or LF, a missing final newline, a quote inside an unquoted
// field kept as is. Only an unterminated quoted field is an error, reported at the line it opened.

export interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts. */
  line: number;
}

export class CsvSyntaxError extends Error {
  constructor(readonly line: number, readonly problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'CsvSyntaxError';
  }
}

/** Every record of `text`; blank lines are skipped, and lines for which `skip(line)` holds (e.g. comments). */
export function parseCsv(text: string, skip: (line: string) => boolean = () => false): CsvRecord[] {
  const records: CsvRecord[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (pos < text.length) {
    const start = line;
    const lineEnd = endOfLine(text, pos);
    if (text.slice(pos, lineEnd).trim() === '' || skip(text.slice(pos, lineEnd))) {
      pos = lineEnd + 1;
      line++;
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[pos] === '"') {
        pos++;
        for (;;) {
          const q = text.indexOf('"', pos);
          if (q < 0) throw new CsvSyntaxError(start, 'a quoted field is never closed');
          field += text.slice(pos, q);
          line += countNewlines(text, pos, q);
          if (text[q + 1] === '"') {
            field += '"';
            pos = q + 2;
          } else {
            pos = q + 1;
            break;
          }
        }
        // Anything between the closing quote and the next comma is kept, as spreadsheets do.
        const next = nextSeparator(text, pos);
        field += text.slice(pos, next);
        pos = next;
      } else {
        const next = nextSeparator(text, pos);
        field = text.slice(pos, next);
        pos = next;
      }
      fields.push(field.endsWith('\r') && (pos >= text.length || text[pos] === '\n') ? field.slice(0, -1) : field);
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      pos++; // the newline, or past the end
      line++;
      break;
    }
    records.push({ fields, line: start });
  }
  return records;
}

function endOfLine(text: string, pos: number): number {
  const n = text.indexOf('\n', pos);
  return n < 0 ? text.length : n;
}

function nextSeparator(text: string, pos: number): number {
  let p = pos;
  while (p < text.length && text[p] !== ',' && text[p] !== '\n') p++;
  return p;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let p = text.indexOf('\n', from); p >= 0 && p < to; p = text.indexOf('\n', p + 1)) n++;
  return n;
}
