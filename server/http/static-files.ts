import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { sendJson } from './json.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Serves the built admin UI. Unknown paths get the SPA fallback page so client
 * routes (/providers, /status, …) survive a reload.
 */
export function createStaticHandler(root: string) {
  const fallback = ['200.html', 'index.html'].map((f) => path.join(root, f)).find((f) => existsSync(f));
  return function serveStatic(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = decodedPath(req.url ?? '/');
    if (pathname === undefined) {
      // `/%`, `/%E0%A4%A`, `/status/%FF`: not a path any file or page has.
      sendJson(res, 400, { error: { message: 'The request path is not valid percent-encoding' } });
      return true;
    }
    let file = path.join(root, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(root)) return false;
    let stat = safeStat(file);
    if (stat?.isDirectory()) {
      file = path.join(file, 'index.html');
      stat = safeStat(file);
    }
    if (!stat?.isFile()) {
      if (!fallback || path.extname(pathname)) return false;
      file = fallback;
      stat = safeStat(file);
      if (!stat) return false;
    }
    const immutable = pathname.includes('/_app/immutable/');
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': stat.size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  };
}

/** The path part of a request URL, percent-decoded; undefined when the encoding is broken. */
function decodedPath(url: string): string | undefined {
  try {
    return decodeURIComponent(url.split('?')[0]);
  } catch {
    return undefined;
  }
}

function safeStat(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
