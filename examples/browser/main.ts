// fedrec in a web page, the minimal version to copy: ask for consent, keep the person's history on
// the device, join a coordinator and take part in its training rounds. Only clipped, masked model
// updates leave the page; the history and the private user vector stay in this browser.
//
// The tfjs trainer is loaded with import() only when the person picks it: built with code
// splitting, the default page never fetches tfjs (see README.md).

import { FedrecClient, browserSocketFactory, consoleLogger, type ClientState, type LocalDataset, type SubTableTrainer, type TaskOutcome } from 'fedrec/client';
import { IndexedDbStore } from 'fedrec/client/browser';

type Interaction = LocalDataset['train'][number];

/** The app's own copy of the history: fedrec reads it to train and never sends it. */
const HISTORY_KEY = 'fedrec-example-history';

const store = new IndexedDbStore();
const logger = consoleLogger();
let history: Interaction[] = loadHistory();
let running: FedrecClient | null = null;

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const status = (text: string): void => {
  byId('status').textContent = text;
};

function loadHistory(): Interaction[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(value) ? (value as Interaction[]) : [];
  } catch {
    return [];
  }
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? err);
}

async function chosenTrainer(): Promise<SubTableTrainer | undefined> {
  if (byId<HTMLSelectElement>('trainer').value !== 'tfjs') return undefined; // the default kernel
  const { browserTfjsTrainer } = await import('fedrec/client/browser/tfjs');
  const { trainer, backend } = await browserTfjsTrainer({}, logger);
  status(`tfjs trainer on ${backend}`);
  return trainer;
}

function makeClient(trainer?: SubTableTrainer): FedrecClient {
  const socketFactory = browserSocketFactory();
  if (!socketFactory) throw new Error('this browser has no WebSocket');
  const url = byId<HTMLInputElement>('coordinator').value.trim();
  return new FedrecClient({ url, socketFactory, store, logger, data: { train: history, heldOut: null }, trainer });
}

async function grantConsent(): Promise<void> {
  const kinds = (['view', 'purchase'] as const).filter((k) => byId<HTMLInputElement>(`kind-${k}`).checked);
  const limit = byId<HTMLInputElement>('max-epsilon').value.trim();
  const maxEpsilon = limit === '' ? null : Number(limit);
  if (maxEpsilon !== null && !(maxEpsilon > 0 && Number.isFinite(maxEpsilon))) return status('the ε limit is a number above 0, or empty for none');
  // Through the running client if there is one, so that it trains on the new kinds from now on.
  await (running ?? makeClient()).grantConsent({ kinds, maxEpsilon });
  status(`consent given for ${kinds.join(' and ') || 'no kinds'}${limit ? `, ε at most ${limit}` : ''}`);
}

/** Stays connected and trains whenever this device's round comes; a new call restarts with the current history. */
async function takePart(): Promise<void> {
  running?.stop();
  const client = makeClient(await chosenTrainer());
  running = client;
  status('connecting…');
  try {
    const end = await client.run(
      (outcome: TaskOutcome) => {
        status(`round ${outcome.round}: ${outcomeText(outcome)}`);
        void renderLedger();
      },
      () => status('joined: waiting for a round'),
    );
    status(`stopped (${end})`);
  } finally {
    if (running === client) running = null;
  }
}

function outcomeText(outcome: TaskOutcome): string {
  if (outcome.task === 'train') return 'update sent';
  if (outcome.task === 'evaluate') return 'evaluated';
  return `could not take part (${outcome.code}: ${outcome.message})`;
}

async function optOut(): Promise<void> {
  await (running ?? makeClient()).revokeConsent();
  status('opted out: nothing more leaves this device');
}

async function forgetMe(): Promise<void> {
  const client = running ?? makeClient();
  // A client that is not connected connects once to ask the coordinator to drop its id.
  if (!running && (await store.load())) await client.forgetRemotely();
  await client.forget();
  history = [];
  localStorage.removeItem(HISTORY_KEY);
  renderHistory();
  await renderLedger();
  status('forgotten: this device and the coordinator hold nothing of you');
}

function markItem(event: SubmitEvent): void {
  event.preventDefault();
  const item = Number(byId<HTMLInputElement>('item').value);
  const kind = byId<HTMLSelectElement>('kind').value === 'purchase' ? 'purchase' : 'view';
  if (!Number.isSafeInteger(item) || item < 0) return status('an item id is a whole number ≥ 0 from the coordinator’s catalogue');
  history.push({ item, timestamp: Math.floor(Date.now() / 1000), kind });
  localStorage.setItem(HISTORY_KEY, JSON.stringify(history));
  renderHistory();
  if (running) void takePart().catch((err) => status(describe(err))); // train on the new history from the next round
}

function renderHistory(): void {
  byId('history').replaceChildren(...history.map((h) => Object.assign(document.createElement('li'), { textContent: `${h.kind} item ${h.item}` })));
}

async function renderLedger(): Promise<void> {
  const state: ClientState | null = await store.load();
  const rows = (state?.ledger ?? []).map((e) => `round ${e.round}: ${e.bytes.toLocaleString()} bytes, ${e.aggregation ?? 'plaintext'}${e.clipped ? ', clipped' : ''}`);
  byId('ledger').replaceChildren(...rows.map((text) => Object.assign(document.createElement('li'), { textContent: text })));
}

/** Every button reports its failure (with its FEDREC_* code) in the status line. */
function on(id: string, action: () => Promise<void>): void {
  byId(id).addEventListener('click', () => void action().catch((err) => status(describe(err))));
}

byId<HTMLFormElement>('mark').addEventListener('submit', markItem);
on('consent', grantConsent);
on('join', takePart);
on('opt-out', optOut);
on('forget', forgetMe);
renderHistory();
void renderLedger();
