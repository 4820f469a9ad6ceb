import { existsSync } from 'node:fs';

/**
 * The browser the tests drive: Debian's `chromium` package (.ci/run installs it), never a downloaded build.
 * CHROMIUM_PATH points elsewhere (e.g. macOS: /Applications/Google Chrome.app/Contents/MacOS/Google Chrome).
 */
export function chromiumPath(): string {
  const candidate = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(candidate)) {
    throw new Error(`No Chromium at ${candidate}: install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  return candidate;
}
