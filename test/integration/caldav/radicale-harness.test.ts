import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startRadicale } from '../../support/radicale.ts';

describe('the Radicale harness', () => {
  it('fails (never skips) with the install command when radicale is not on the PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent-for-this-test';
    try {
      await expect(startRadicale()).rejects.toThrow(/sudo apt-get update && sudo apt-get install -y radicale/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('serves authenticated users only, on loopback, and deletes its storage on stop', async () => {
    const radicale = await startRadicale({ users: { h: 'h-password' } });
    expect(radicale.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const anonymous = await fetch(`${radicale.url}/h/`, { method: 'PROPFIND', headers: { depth: '0' } });
    expect(anonymous.status).toBe(401);
    await radicale.user('h').makeCalendar('c');
    expect(existsSync(radicale.collectionDir('h', 'c'))).toBe(true);
    await radicale.stop();
    expect(existsSync(radicale.storageDir)).toBe(false);
    await expect(fetch(`${radicale.url}/`)).rejects.toThrow();
  });
});
