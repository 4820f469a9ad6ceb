import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** What every console file is sent with, locally and deployed: the app loads only its own script, style and API. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The console's files (console/build.ts emits exactly these); nothing else is ever read from disk. */
export const CONSOLE_FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

export interface ConsoleAsset {
  name: string;
  contentType: string;
  body: string;
}

/**
 * Reads the built console from `dir` (the deployed function's package has it in `console/` beside its
 * entry), once per file per process. Unknown names are null, never a path on disk.
 */
export function consoleAssetReader(dir: string): (name: string) => Promise<ConsoleAsset | null> {
  const cache = new Map<string, Promise<ConsoleAsset | null>>();
  return (name) => {
    const contentType = Object.hasOwn(CONSOLE_FILES, name) ? CONSOLE_FILES[name]! : null;
    if (!contentType) return Promise.resolve(null);
    let asset = cache.get(name);
    if (!asset) {
      asset = readFile(path.join(dir, name), 'utf8').then(
        (body) => ({ name, contentType, body }),
        () => {
          cache.delete(name);
          return null;
        },
      );
      cache.set(name, asset);
    }
    return asset;
  };
}
