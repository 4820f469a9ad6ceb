import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../../shared/api/index.ts';
import { renderClientSchema } from '../../../client/generate.ts';

const committedPath = path.resolve(import.meta.dirname, '../../../client/schema.d.ts');

describe('generated API client (client/schema.d.ts)', () => {
  it('is what `npm run client:generate` writes for the current route contracts', async () => {
    const committed = readFileSync(committedPath, 'utf8');
    // A mismatch means a route contract changed without regenerating: run `npm run client:generate`.
    expect(committed === (await renderClientSchema()), 'client/schema.d.ts is stale: run `npm run client:generate`').toBe(true);
  });

  it('types every route of the contract, by path and operation id', () => {
    const committed = readFileSync(committedPath, 'utf8');
    for (const route of API_ROUTES) {
      expect(committed).toContain(`"${route.path}": {`);
      expect(committed).toContain(`${route.operationId}: {`);
    }
  });
});
