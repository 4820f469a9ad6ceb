import { toConnectionView, type ConnectionView } from '../domain/connection.ts';
import type { ConnectionStore } from '../ports/connection-store.ts';

export interface ListConnectionsInput {
  tenantId: string;
  cursor?: string | undefined;
  limit: number;
}

export interface ConnectionPage {
  items: ConnectionView[];
  nextCursor: string | null;
}

export async function listConnections(deps: { connections: ConnectionStore }, input: ListConnectionsInput): Promise<ConnectionPage> {
  const page = await deps.connections.list(input.tenantId, { cursor: input.cursor ?? null, limit: input.limit });
  return { items: page.items.map(toConnectionView), nextCursor: page.cursor };
}
