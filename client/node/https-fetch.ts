// Node-only: GET /privacy (and /catalogue) with a private CA. Node's global fetch cannot be given a
// CA, so a coordinator with a certificate from `--ca` is read through node:https instead.

import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { PrivacyFetch } from '../privacy-check.js';

/** Largest body read by default: /privacy is well under a kilobyte (the catalogue passes its own). */
const MAX_BODY_BYTES = 1024 * 1024;
const TIMEOUT_MS = 10_000;

export function nodeFetch(ca: string | Buffer, maxBodyBytes = MAX_BODY_BYTES): PrivacyFetch {
  return (url) =>
    new Promise((resolve, reject) => {
      const get = url.startsWith('https:') ? httpsGet : httpGet;
      const req = get(url, { ca, timeout: TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBodyBytes) req.destroy(new Error(`${url} answered more than ${maxBodyBytes} bytes`));
          else chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ ok: status >= 200 && status < 300, status, json: async () => JSON.parse(text) as unknown });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${url} did not answer within ${TIMEOUT_MS} ms`)));
      req.on('error', reject);
    });
}
