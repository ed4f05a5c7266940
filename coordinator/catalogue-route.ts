// GET /catalogue: the public catalogue as people see it, ids in row order with titles and genres where
// the coordinator has them: { version, items: [{ id, title?, genres? }] }. Built once at start (the
// catalogue never changes while a coordinator runs); an ETag lets devices and pages revalidate cheaply.

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalogue } from '../shared/model/catalogue.js';
import { catalogueListing, type ItemMetadata } from '../shared/model/catalogue-listing.js';

export type CatalogueRoute = (req: IncomingMessage, res: ServerResponse, cors: Record<string, string>) => void;

export function catalogueRoute(catalogue: Catalogue, metadata?: ItemMetadata | null): CatalogueRoute {
  const body = Buffer.from(JSON.stringify(catalogueListing(catalogue, metadata)), 'utf8');
  // The ids' hash alone would not change when only the titles do.
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return (req, res, cors) => {
    const headers = { etag, 'cache-control': 'no-cache', ...cors };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, ...headers });
    res.end(body);
  };
}
