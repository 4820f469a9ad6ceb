import { notFound } from '../domain/app-error.ts';
import { toConnectionView, type ConnectionView } from '../domain/connection.ts';
import type { ConnectionStore } from '../ports/connection-store.ts';

export async function getConnection(deps: { connections: ConnectionStore }, tenantId: string, connectionId: string): Promise<ConnectionView> {
  const connection = await deps.connections.get(tenantId, connectionId);
  if (!connection) throw notFound('Connection');
  return toConnectionView(connection);
}
