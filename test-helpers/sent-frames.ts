// Every WebSocket frame a page sent, as Chromium saw it on the wire, with the time the test saw it.
// page.on('websocket') also reports the sockets the page's dedicated workers open (checked with
// playwright-core 1.65 and Debian's Chromium: the app's worker socket shows up here), so this is
// what the device really sent, not what the app says it sent.

import type { Page } from 'playwright-core';

export interface SentFrame {
  /** Date.now() when the test heard of the frame (a few ms after it left). */
  at: number;
  url: string;
  bytes: Uint8Array;
}

export interface SocketLog {
  url: string;
  openedAt: number;
  /** null while open. */
  closedAt: number | null;
}

export interface SentCapture {
  frames: SentFrame[];
  sockets: SocketLog[];
}

/** Starts recording before the page opens any socket: call it before page.goto. */
export function captureSentFrames(page: Page): SentCapture {
  const capture: SentCapture = { frames: [], sockets: [] };
  page.on('websocket', (ws) => {
    const log: SocketLog = { url: ws.url(), openedAt: Date.now(), closedAt: null };
    capture.sockets.push(log);
    ws.on('framesent', (f) => {
      const bytes = typeof f.payload === 'string' ? new TextEncoder().encode(f.payload) : new Uint8Array(f.payload);
      capture.frames.push({ at: Date.now(), url: ws.url(), bytes });
    });
    ws.on('close', () => (log.closedAt = Date.now()));
  });
  return capture;
}
