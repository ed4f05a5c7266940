// Who could take part in a round right now: connected persistent clients, plus check-in clients
// seen within about a round's time (they hang up between rounds by design). Rounds start only when
// this reaches minClients, so a round is never opened to a registry of absent ids.

/** The shortest memory of a check-in: devices with no open round come back every ~1 s. */
export const CHECK_IN_FRESH_MS = 5_000;

export class Availability {
  private readonly checkIns = new Map<string, number>();

  constructor(private readonly freshMs = CHECK_IN_FRESH_MS) {}

  static forRounds(roundDeadlineMs: number): Availability {
    return new Availability(Math.max(CHECK_IN_FRESH_MS, roundDeadlineMs));
  }

  private readonly persistent = new Set<string>();

  /** Devices that hold a connection while online (browsers, `fedrec client`): absent means offline. */
  notePersistent(clientId: string): void {
    this.persistent.add(clientId);
  }

  /** Whether this id last joined as a persistent device, so that not being connected means it is gone. */
  isPersistent(clientId: string): boolean {
    return this.persistent.has(clientId);
  }

  noteCheckIn(clientId: string, now = Date.now()): void {
    this.persistent.delete(clientId);
    this.checkIns.set(clientId, now);
  }

  forget(clientId: string): void {
    this.checkIns.delete(clientId);
    this.persistent.delete(clientId);
  }

  /** Distinct ids among the connected persistent clients and the recent check-ins. */
  count(persistent: Iterable<string>, now = Date.now()): number {
    const ids = new Set(persistent);
    for (const [id, at] of this.checkIns) {
      if (now - at > this.freshMs) this.checkIns.delete(id);
      else ids.add(id);
    }
    return ids.size;
  }
}
