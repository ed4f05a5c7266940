// Serves one directory (the web app) on the GET paths that no API route answers, so the app and the
// coordinator share an origin: the page needs no CORS and its WebSocket is same-origin. Only regular
// files below the directory are served (no listing, no dotfiles, no way out through `..`, encoded or
// not, or through a symlink); a miss is the caller's FEDREC_NOT_FOUND answer.

import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page may load code, styles and images from this origin only, and talk to it over fetch and
 * WebSocket (ws: wss: because CSP 'self' does not cover the ws scheme in every browser). No inline
 * script or style, no plugins, no framing by other sites.
 */
export const HTML_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // A rebuilt app is picked up at the next load; the files are small and served over loopback.
  'cache-control': 'no-cache',
} as const;

export class StaticFiles {
  private rootReal: Promise<string> | null = null;

  constructor(readonly root: string) {}

  /**
   * Answers GET `urlPath` with a file under the root, or calls `notFound` (also for anything that
   * tries to leave the root). `urlPath` is the raw path of the request, without its query.
   */
  serve(res: ServerResponse, urlPath: string, notFound: () => void): void {
    // Browsers ask for /favicon.ico on their own; an app without one should not log a 404 for it.
    const miss = urlPath === '/favicon.ico' ? () => void res.writeHead(204, COMMON_HEADERS).end() : notFound;
    this.resolveFile(urlPath).then(
      (file) => (file ? this.send(res, file, miss) : miss()),
      () => miss(),
    );
  }

  /** The real path of the file `urlPath` names, or null when it names none the root may serve. */
  async resolveFile(urlPath: string): Promise<string | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null; // malformed %-escape
    }
    if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
    const segments = decoded.split('/').filter((s) => s !== '');
    // `..`, `.` and dotfiles (.git, .env) are never served, whatever they would resolve to.
    if (segments.some((s) => s.startsWith('.'))) return null;
    const root = await (this.rootReal ??= realpath(resolve(this.root)));
    let candidate = join(root, ...segments);
    let info = await stat(candidate).catch(() => null);
    if (info?.isDirectory()) {
      candidate = join(candidate, 'index.html');
      info = await stat(candidate).catch(() => null);
    }
    if (!info?.isFile()) return null;
    // A symlink inside the root may point outside it: judge the real path.
    const real = await realpath(candidate);
    return real.startsWith(root + sep) ? real : null;
  }

  private send(res: ServerResponse, file: string, notFound: () => void): void {
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const stream = createReadStream(file);
    stream.once('open', () => {
      const headers: Record<string, string> = { ...COMMON_HEADERS, 'content-type': type };
      if (type.startsWith('text/html')) headers['content-security-policy'] = HTML_CSP;
      res.writeHead(200, headers);
      stream.pipe(res);
    });
    stream.once('error', () => (res.headersSent ? res.destroy() : notFound()));
  }
}
