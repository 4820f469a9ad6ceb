import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildConsole, CONSOLE_BUDGET_GZIP_BYTES } from '../../../console/build.ts';

describe('operator console build', () => {
  it('stays under its gzip budget of 150 KB (HTML + JS + CSS)', async () => {
    const built = await buildConsole();
    expect(built.files.map((f) => f.name).sort()).toEqual(['app.css', 'app.js', 'index.html']);
    // Independent of the build's own sum: gzip each file again here.
    const gzip = built.files.reduce((sum, f) => sum + gzipSync(f.contents).length, 0);
    expect(CONSOLE_BUDGET_GZIP_BYTES).toBe(150 * 1024);
    expect(gzip).toBeLessThan(CONSOLE_BUDGET_GZIP_BYTES);
    expect(built.gzipBytes).toBeLessThan(CONSOLE_BUDGET_GZIP_BYTES);
  });

  it('refuses to build past the budget', async () => {
    await expect(buildConsole({ budgetBytes: 1024 })).rejects.toThrow(/over its budget of 1024 bytes/);
  });

  it('loads only its own relative assets, so it works under any path prefix', async () => {
    const html = new TextDecoder().decode((await buildConsole()).files.find((f) => f.name === 'index.html')!.contents);
    expect(html).toContain('src="./app.js"');
    expect(html).toContain('href="./app.css"');
    expect(html).not.toMatch(/https?:\/\//);
  });
});
