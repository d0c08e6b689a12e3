/**
 * The browser bundle built by `npm run build` (scripts/build-dashboard.js → dist/dashboard-ui/), read once from
 * disk and served from memory. Missing files (the UI was not built) answer a plain 404 naming the fix.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Asset {
  type: string;
  body: Buffer;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const cache = new Map<string, Asset | null>();

/** Where the built bundle is: next to the compiled module (dist/dashboard → dist/dashboard-ui), or dist/ when run from src/ (tests). */
const BUNDLE_DIRS = [path.resolve(__dirname, '..', 'dashboard-ui'), path.resolve(__dirname, '..', '..', 'dist', 'dashboard-ui')];

/**
 * A built asset by file name (app.js, app.css, uplot.css), or undefined.
 *
 * @example const a = asset('app.js'); if (a) res.end(a.body);
 */
export function asset(name: string): Asset | undefined {
  if (!/^[a-z0-9.-]+$/.test(name)) return undefined;
  if (!cache.has(name)) {
    cache.set(name, null);
    for (const dir of BUNDLE_DIRS) {
      try {
        cache.set(name, { type: TYPES[path.extname(name)] ?? 'application/octet-stream', body: readFileSync(path.join(dir, name)) });
        break;
      } catch {
        // not built here; try the next place
      }
    }
  }
  return cache.get(name) ?? undefined;
}
