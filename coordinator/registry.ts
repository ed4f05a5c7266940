// The client ids the coordinator knows: the population N that sampling rates and the fixed
// denominator q·N refer to. Ids are random pseudonyms chosen by clients; nothing else is kept.
// A client that leaves with `forget` is removed. Persisted so N survives restarts.

import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../shared/node/atomic-file.js';

export class ClientRegistry {
  private readonly ids = new Set<string>();
  private dirty = false;

  constructor(private readonly file: string | null) {}

  async load(): Promise<void> {
    if (!this.file) return;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const parsed = JSON.parse(text) as { clients?: unknown };
    if (!Array.isArray(parsed.clients)) throw new Error(`${this.file}: expected {"clients": [...]}`);
    for (const id of parsed.clients) if (typeof id === 'string') this.ids.add(id);
  }

  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    this.dirty = true;
    return true;
  }

  remove(id: string): boolean {
    const had = this.ids.delete(id);
    if (had) this.dirty = true;
    return had;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.ids.values();
  }

  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    this.dirty = false;
    await writeFileAtomic(this.file, JSON.stringify({ clients: [...this.ids] }));
  }
}
