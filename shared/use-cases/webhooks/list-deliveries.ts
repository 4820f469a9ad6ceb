import { notFound } from '../../domain/app-error.ts';
import type { WebhookDeliveryStore } from '../../ports/webhook-delivery-store.ts';
import type { WebhookEndpointStore } from '../../ports/webhook-endpoint-store.ts';
import type { DeliveryStatus } from '../../domain/webhook-delivery.ts';
import { toDeliveryView, type WebhookDeliveryView } from './endpoint-view.ts';

export interface ListDeliveriesInput {
  tenantId: string;
  endpointId: string;
  status?: DeliveryStatus | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** An endpoint's delivery log, newest first, each delivery with its attempts. */
export async function listDeliveries(
  deps: { endpoints: WebhookEndpointStore; deliveries: WebhookDeliveryStore },
  input: ListDeliveriesInput,
): Promise<{ items: WebhookDeliveryView[]; nextCursor: string | null }> {
  // The endpoint check makes another tenant's (or a deleted) endpoint a 404 rather than an empty list.
  if (!(await deps.endpoints.get(input.tenantId, input.endpointId))) throw notFound('Webhook endpoint');
  const page = await deps.deliveries.list(input.tenantId, input.endpointId, { status: input.status, cursor: input.cursor ?? null, limit: input.limit });
  return { items: page.items.map(toDeliveryView), nextCursor: page.cursor };
}
