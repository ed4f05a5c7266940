// Node-only: a versioned msgpack document on disk (checkpoints, client state). Written atomically;
// read back as null when absent, or an error with a stable code naming the file when unreadable.

import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Packr } from 'msgpackr';
import { writeFileAtomic } from './atomic-file.js';

const packr = new Packr({ useRecords: false });

export async function writeMsgpackFile(path: string, format: string, body: Record<string, unknown>): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, packr.pack({ format, ...body }));
}

/** The document, or null when the file does not exist; `code` marks a file that is not `format`. */
export async function readMsgpackFile(path: string, format: string, code: string): Promise<Record<string, any> | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let raw: any;
  try {
    raw = packr.unpack(bytes);
  } catch (cause) {
    throw Object.assign(new Error(`${path} is not a readable ${format} file`, { cause }), { code });
  }
  if (raw?.format !== format) throw Object.assign(new Error(`${path}: expected format ${format}, found ${JSON.stringify(raw?.format)}`), { code });
  return raw;
}
