import * as z from 'zod/mini';
import { ConnectionView } from '../domain/connection.ts';
import { defineRoute } from '../runtime/http/route.ts';
import { IdParams, PaginationQuery, pageOf } from './common.ts';

export const listConnectionsRoute = defineRoute({
  operationId: 'listConnections',
  method: 'GET',
  path: '/v1/connections',
  function: 'api-connections',
  auth: 'jwt',
  summary: "List the tenant's calendar connections",
  tags: ['connections'],
  query: PaginationQuery,
  responses: { 200: { description: 'A page of connections.', schema: pageOf(ConnectionView) } },
});

export const getConnectionRoute = defineRoute({
  operationId: 'getConnection',
  method: 'GET',
  path: '/v1/connections/{id}',
  function: 'api-connections',
  auth: 'jwt',
  summary: 'Get one connection',
  tags: ['connections'],
  params: IdParams,
  responses: { 200: { description: 'The connection.', schema: ConnectionView } },
});

export const deleteConnectionRoute = defineRoute({
  operationId: 'deleteConnection',
  method: 'DELETE',
  path: '/v1/connections/{id}',
  function: 'api-connections',
  auth: 'jwt',
  summary: 'Disconnect an account',
  description: 'Stops push channels, revokes nothing at the provider the user did not grant, deletes calendars, events and credentials, and emits connection.deleted.',
  tags: ['connections'],
  params: IdParams,
  responses: { 204: { description: 'Disconnected.' } },
});

export const syncConnectionRoute = defineRoute({
  operationId: 'syncConnection',
  method: 'POST',
  path: '/v1/connections/{id}/sync',
  function: 'api-connections',
  auth: 'jwt',
  summary: 'Sync a connection now',
  description: 'Queues a sync of every sync-enabled calendar of the connection (coalesced with any sync already pending). Poll GET /v1/connections/{id} for lastSyncedAt, or listen for calendar.sync.completed. A `disabled` connection (5 persistent failures in a row) is re-enabled by this call: status active, failure counter cleared. Transient provider failures (5xx, 429, timeouts) never disable a connection.',
  tags: ['connections'],
  params: IdParams,
  responses: { 202: { description: 'Queued.', schema: z.object({ calendars: z.int(), enqueued: z.int() }) } },
});

export const ConnectionRoutes = [listConnectionsRoute, getConnectionRoute, deleteConnectionRoute, syncConnectionRoute];
