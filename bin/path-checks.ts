// Checks on the paths a command is given, made before any long work: a typo should cost a second
// and one sentence (FEDREC_BAD_PATH, exit code 2), not a finished run that cannot be saved.

import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { UsageError } from './args.js';

const badPath = (message: string) => new UsageError(message, ErrorCodes.BAD_PATH);

/** Why a file-system call failed, in words (the errno text is for programmers). */
export function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is a file, not a directory';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EROFS') return 'the file system is read-only';
  return (err as Error).message;
}

async function statOrNull(flag: string, path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw badPath(`${flag} ${path} cannot be used: ${reason(err)}`);
  }
}

/** A file or directory the command reads (a loader decides which it can use). */
export async function checkExists(flag: string, path: string, shown = path): Promise<void> {
  if (!(await statOrNull(flag, path))) throw badPath(`${flag} ${shown} does not exist`);
}

/** A file the command reads: it must exist, be a file and be readable. */
export async function checkInputFile(flag: string, path: string): Promise<void> {
  const s = await statOrNull(flag, path);
  if (!s) throw badPath(`${flag} ${path} does not exist`);
  if (s.isDirectory()) throw badPath(`${flag} ${path} is a directory, not a file`);
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    throw badPath(`${flag} ${path} cannot be read: ${reason(err)}`);
  }
}

/** A directory the command may create: fine if absent, an error if something else is there. */
export async function checkDirFlag(flag: string, path: string): Promise<void> {
  const s = await statOrNull(flag, path);
  if (s && !s.isDirectory()) throw badPath(`${flag} ${path} is a file, not a directory`);
}

/** A directory that must already be there (it holds what an earlier command wrote). */
export async function checkExistingDir(flag: string, path: string): Promise<void> {
  const s = await statOrNull(flag, path);
  if (!s) throw badPath(`${flag} ${path} does not exist`);
  if (!s.isDirectory()) throw badPath(`${flag} ${path} is a file, not a directory`);
}

/**
 * A file the command writes at the end: its directory is created now and must be writable, and the
 * path must not be a directory, so a long run never ends in a failed write.
 */
export async function prepareOutputFile(flag: string, path: string): Promise<void> {
  const s = await statOrNull(flag, path);
  if (s?.isDirectory()) throw badPath(`${flag} ${path} is a directory: give a file name, e.g. ${join(path, 'result.json')}`);
  const target = s ? path : dirname(resolve(path));
  if (!s) {
    try {
      await mkdir(target, { recursive: true });
    } catch (err) {
      throw badPath(`${flag} ${path}: cannot create its directory ${target}: ${reason(err)}`);
    }
  }
  try {
    await access(target, constants.W_OK);
  } catch (err) {
    throw badPath(`${flag} ${path} cannot be written: ${reason(err)}`);
  }
}
