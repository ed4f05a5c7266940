// What the person is told while the client core works: the frames it receives (an offer: their
// round came; the round's result) and the events it logs (its masked update left), turned into
// status lines for the page. It also knows when this device is inside a round, so the Runner can
// hold a restart until the round is over.

import { decodeFrame } from '../../../shared/protocol/codec.js';
import type { ClientLogger, SocketFactory } from '../../index.js';
import { frameBytes } from '../../socket.js';
import * as say from './status-text.js';
import type { WorkerToPage } from './worker-protocol.js';

export class RoundWatch {
  /** The round this device is taking part in, or null. */
  busyRound: number | null = null;

  constructor(
    private readonly post: (m: WorkerToPage) => void,
    /** Called when a round this device was in is over (result, or the connection closed). */
    private readonly onRoundOver: () => void,
  ) {}

  /** The same sockets, with a listener beside the client core's own. */
  sockets(base: SocketFactory): SocketFactory {
    return (url) => {
      const s = base(url);
      const target = s as unknown as { addEventListener?: (t: string, f: (ev: { data: unknown }) => void) => void };
      target.addEventListener?.('message', (ev) => this.observe(ev.data));
      target.addEventListener?.('close', () => this.over());
      return s;
    };
  }

  logger(): ClientLogger {
    const forward = (level: 'info' | 'warn' | 'error') => (obj: object, msg?: string) => {
      const o = obj as { event?: string; round?: number; bytes?: number };
      if (o.event === 'update-sent' && o.round !== undefined) this.status({ phase: 'sent', text: say.sentText(o.round, o.bytes ?? 0) });
      this.post({ type: 'log', level, event: o.event ?? '', text: msg ?? '' });
    };
    return { debug() {}, info: forward('info'), warn: forward('warn'), error: forward('error') };
  }

  status(line: say.StatusLine): void {
    this.post({ type: 'status', phase: line.phase, text: line.text, ...(line.code ? { code: line.code } : {}) });
  }

  private observe(data: unknown): void {
    let msg: Record<string, unknown>;
    try {
      const bytes = frameBytes(data);
      if (!bytes) return;
      msg = decodeFrame(bytes);
    } catch {
      return; // the client core reports bad frames itself
    }
    if (msg.type === 'offer' && msg.task === 'train') {
      this.busyRound = msg.round as number;
      this.status({ phase: 'training', text: say.trainingText(this.busyRound) });
    } else if (msg.type === 'roundResult' && msg.round === this.busyRound) {
      const end = { round: msg.round as number, committed: msg.committed === true };
      this.post({ type: 'round-end', ...end });
      this.post({ type: 'state-changed' });
      this.status({ phase: 'waiting', text: say.roundEndText(end.round, end.committed) });
      this.over();
    }
  }

  private over(): void {
    if (this.busyRound === null) return;
    this.busyRound = null;
    this.onRoundOver();
  }
}
