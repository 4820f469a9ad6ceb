import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { davRequest, makeCalendar } from 'tsdav';
import { freePort, waitFor } from '../../infra/local/net.ts';

/**
 * A real Radicale (Debian package `radicale`, 3.1.x) for the CalDAV tests: a free loopback port, a
 * throwaway storage folder, htpasswd users with plain passwords, owner-only rights, quiet logging. Tests
 * create calendars with MKCALENDAR and act as "the user's other client" with `RadicaleUser` (plain HTTP
 * with tsdav's request helpers, never our adapter).
 */

export const RADICALE_INSTALL_HINT =
  'The CalDAV tests run against a real Radicale server, and `radicale` was not found on the PATH.\n' +
  'Install it with:  sudo apt-get update && sudo apt-get install -y radicale   (Debian/Ubuntu)\n' +
  '              or:  python3 -m pip install radicale                         (elsewhere; put it on the PATH)';

/** Fails (never skips) when Radicale is missing, saying exactly how to install it. */
export function assertRadicaleInstalled(): void {
  const probe = spawnSync('radicale', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error(RADICALE_INSTALL_HINT);
}

export interface RadicaleOptions {
  users?: Record<string, string>;
  /** `[storage] max_sync_token_age` in seconds (Radicale's default is 30 days). */
  maxSyncTokenAge?: number;
}

export interface CalendarSpec {
  name?: string;
  /** supported-calendar-component-set; default VEVENT only. */
  components?: string[];
  /** IANA zone written as calendar-timezone (a VTIMEZONE stub with that TZID). */
  timeZone?: string;
}

export interface StoredObject {
  href: string;
  etag: string;
  data: string;
}

const XML_NS = { 'xmlns:d': 'DAV:', 'xmlns:c': 'urn:ietf:params:xml:ns:caldav' };

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && '_cdata' in value) return String((value as { _cdata: unknown })._cdata);
  return value === undefined || value === null ? '' : String(value);
}

/** The user's other CalDAV client: raw requests against Radicale (the truth side of every test). */
export class RadicaleUser {
  readonly username: string;
  private readonly password: string;
  private readonly baseUrl: string;

  constructor(baseUrl: string, username: string, password: string) {
    this.baseUrl = baseUrl;
    this.username = username;
    this.password = password;
  }

  get authorization(): string {
    return basic(this.username, this.password);
  }

  url(pathname: string): string {
    return new URL(pathname, this.baseUrl).href;
  }

  /** Absolute URL of the user's collection `slug` (with a trailing slash). */
  collectionUrl(slug: string): string {
    return this.url(`/${this.username}/${slug}/`);
  }

  async request(method: string, pathname: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    return fetch(this.url(pathname), { method, headers: { authorization: this.authorization, ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}) });
  }

  async makeCalendar(slug: string, spec: CalendarSpec = {}): Promise<string> {
    const url = this.collectionUrl(slug);
    const components = spec.components ?? ['VEVENT'];
    const props: Record<string, unknown> = {
      'd:displayname': spec.name ?? slug,
      'c:supported-calendar-component-set': { 'c:comp': components.map((name) => ({ _attributes: { name } })) },
    };
    if (spec.timeZone) {
      props['c:calendar-timezone'] = { _cdata: `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:${spec.timeZone}\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n` };
    }
    const [answer] = await makeCalendar({ url, props, headers: { authorization: this.authorization } });
    if (!answer || answer.status !== 201) throw new Error(`MKCALENDAR ${url} answered ${answer?.status}: ${JSON.stringify(answer?.raw)}`);
    return url;
  }

  /** PUT a calendar object; returns its new ETag. Throws with the status on anything but 201/204. */
  async put(collectionUrl: string, name: string, ics: string, condition: { ifMatch?: string; ifNoneMatch?: boolean } = {}): Promise<string> {
    const headers: Record<string, string> = { 'content-type': 'text/calendar; charset=utf-8' };
    if (condition.ifMatch) headers['if-match'] = condition.ifMatch;
    if (condition.ifNoneMatch) headers['if-none-match'] = '*';
    const response = await this.request('PUT', new URL(name, collectionUrl).pathname, { body: ics, headers });
    if (response.status !== 201 && response.status !== 204) throw new Error(`PUT ${name} answered ${response.status}: ${await response.text()}`);
    return response.headers.get('etag') ?? '';
  }

  async get(collectionUrl: string, name: string): Promise<StoredObject | null> {
    const href = new URL(name, collectionUrl).pathname;
    const response = await this.request('GET', href);
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`GET ${href} answered ${response.status}`);
    return { href, etag: response.headers.get('etag') ?? '', data: await response.text() };
  }

  async delete(collectionUrl: string, name: string): Promise<void> {
    const response = await this.request('DELETE', new URL(name, collectionUrl).pathname);
    if (!response.ok && response.status !== 404) throw new Error(`DELETE ${name} answered ${response.status}`);
  }

  /** WebDAV MOVE of one object to a new name in the same collection (what some clients do on rename). */
  async move(collectionUrl: string, from: string, to: string): Promise<void> {
    const response = await this.request('MOVE', new URL(from, collectionUrl).pathname, { headers: { destination: new URL(to, collectionUrl).href, overwrite: 'F' } });
    if (response.status !== 201 && response.status !== 204) throw new Error(`MOVE ${from} → ${to} answered ${response.status}: ${await response.text()}`);
  }

  /** Every calendar object of a collection with etag and data (calendar-query, depth 1). */
  async list(collectionUrl: string): Promise<StoredObject[]> {
    const responses = await davRequest({
      url: collectionUrl,
      init: {
        method: 'REPORT',
        headers: { authorization: this.authorization, depth: '1' },
        namespace: 'c',
        body: { 'calendar-query': { _attributes: XML_NS, 'd:prop': { 'd:getetag': {}, 'c:calendar-data': {} }, filter: { 'comp-filter': { _attributes: { name: 'VCALENDAR' } } } } },
      },
    });
    const out: StoredObject[] = [];
    for (const response of responses) {
      if (!response.href || !response.ok || !response.props?.calendarData) continue;
      out.push({ href: new URL(response.href, collectionUrl).pathname, etag: textOf(response.props.getetag), data: textOf(response.props.calendarData) });
    }
    return out.sort((a, b) => (a.href < b.href ? -1 : 1));
  }

  /** A raw sync-collection REPORT; gives back the HTTP status, the new token and the body. */
  async syncReport(collectionUrl: string, token: string): Promise<{ status: number; token: string | null; body: string }> {
    const body = `<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
    const response = await fetch(collectionUrl, { method: 'REPORT', headers: { authorization: this.authorization, 'content-type': 'application/xml; charset=utf-8' }, body });
    const text = await response.text();
    return { status: response.status, token: /<(?:\w+:)?sync-token>([^<]+)</.exec(text)?.[1] ?? null, body: text };
  }
}

export interface Radicale {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  storageDir: string;
  users: Record<string, string>;
  user(username: string): RadicaleUser;
  addUser(username: string, password: string): RadicaleUser;
  /** Changes a user's password (Radicale reads the htpasswd file on every login). */
  setPassword(username: string, password: string): void;
  /** Filesystem folder of a collection (`collection-root/<user>/<slug>`). */
  collectionDir(username: string, slug: string): string;
  /** Deletes the collection's stored sync-token states: every token handed out so far becomes unknown. */
  forgetSyncTokens(username: string, slug: string): void;
  /** Everything Radicale logged so far (warnings and errors). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts Radicale on a free loopback port and waits until it answers. */
export async function startRadicale(options: RadicaleOptions = {}): Promise<Radicale> {
  assertRadicaleInstalled();
  const root = mkdtempSync(path.join(tmpdir(), 'ci-radicale-'));
  const users: Record<string, string> = { ...(options.users ?? { alice: 'alice-password' }) };
  const htpasswd = path.join(root, 'users');
  writeFileSync(htpasswd, Object.entries(users).map(([user, password]) => `${user}:${password}\n`).join(''));
  const storageDir = path.join(root, 'collections');
  const configPath = path.join(root, 'config');

  let child: ChildProcess | null = null;
  let output = '';
  let port = 0;
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    port = await freePort();
    writeFileSync(
      configPath,
      [
        '[server]',
        `hosts = 127.0.0.1:${port}`,
        'max_connections = 20',
        '[auth]',
        'type = htpasswd',
        `htpasswd_filename = ${htpasswd}`,
        'htpasswd_encryption = plain',
        'delay = 0',
        '[rights]',
        'type = owner_only',
        '[storage]',
        `filesystem_folder = ${storageDir}`,
        ...(options.maxSyncTokenAge !== undefined ? [`max_sync_token_age = ${options.maxSyncTokenAge}`] : []),
        '[web]',
        'type = none',
        '[logging]',
        'level = warning',
        'mask_passwords = True',
        '',
      ].join('\n'),
    );
    const started = spawn('radicale', ['--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(async () => {
        if (started.exitCode !== null) throw new Error(`Radicale exited early (code ${started.exitCode}):\n${output}`);
        const response = await fetch(`http://127.0.0.1:${port}/.web/`, { method: 'OPTIONS' });
        return response.status > 0;
      }, 20_000, 50);
      child = started;
    } catch (error) {
      started.kill('SIGKILL');
      if (attempt === 2 || !/address already in use|Errno 98/i.test(output)) throw error;
    }
  }
  const running = child!;
  const killOnExit = (): void => void running.kill('SIGKILL');
  process.once('exit', killOnExit);
  const baseUrl = `http://127.0.0.1:${port}`;
  const collectionDir = (username: string, slug: string) => path.join(storageDir, 'collection-root', username, slug);

  return {
    url: baseUrl,
    port,
    storageDir,
    users,
    user(username) {
      const password = users[username];
      if (password === undefined) throw new Error(`no Radicale user ${username}`);
      return new RadicaleUser(baseUrl, username, password);
    },
    addUser(username, password) {
      users[username] = password;
      appendFileSync(htpasswd, `${username}:${password}\n`);
      return new RadicaleUser(baseUrl, username, password);
    },
    setPassword(username, password) {
      users[username] = password;
      writeFileSync(htpasswd, Object.entries(users).map(([user, secret]) => `${user}:${secret}\n`).join(''));
    },
    collectionDir,
    forgetSyncTokens(username, slug) {
      rmSync(path.join(collectionDir(username, slug), '.Radicale.cache', 'sync-token'), { recursive: true, force: true });
    },
    output: () => output,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (running.exitCode === null) {
        const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
        running.kill('SIGTERM');
        const timer = setTimeout(() => running.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The names of the sync-token states Radicale keeps for a collection (to check that forgetting worked). */
export function storedSyncTokens(radicale: Radicale, username: string, slug: string): string[] {
  try {
    return readdirSync(path.join(radicale.collectionDir(username, slug), '.Radicale.cache', 'sync-token'));
  } catch {
    return [];
  }
}
