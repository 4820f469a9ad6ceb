import type { LogEntryInput } from '../../domain/integration-log.ts';
import type { WebhookDelivery } from '../../domain/webhook-delivery.ts';
import type { WebhookEndpoint } from '../../domain/webhook-endpoint.ts';
import type { WebhookResponse } from '../../ports/webhook-sender.ts';

/** The connection and booking a delivered event is about, read from its payload (absent for most types). */
function subjectsOf(payload: string): { connectionId: string | null; bookingId: string | null } {
  try {
    const data = (JSON.parse(payload) as { data?: { connectionId?: unknown; booking?: { id?: unknown } } }).data;
    return {
      connectionId: typeof data?.connectionId === 'string' ? data.connectionId : null,
      bookingId: typeof data?.booking?.id === 'string' ? data.booking.id : null,
    };
  } catch {
    return { connectionId: null, bookingId: null };
  }
}

/** One webhook attempt as an integration log entry: `webhook.sent` or `webhook.failed`, correlated by the event id. */
export function webhookAttemptEntry(delivery: WebhookDelivery, endpoint: WebhookEndpoint, response: WebhookResponse, attempt: number): LogEntryInput {
  const host = URL.canParse(endpoint.url) ? new URL(endpoint.url).host : endpoint.url;
  const sent = response.errorClass === null;
  const outcome = response.statusCode !== null ? `HTTP ${response.statusCode}` : (response.errorClass ?? 'no response');
  return {
    tenantId: delivery.tenantId,
    type: sent ? 'webhook.sent' : 'webhook.failed',
    success: sent,
    ...subjectsOf(delivery.payload),
    correlationId: delivery.eventId,
    resourceId: endpoint.id,
    summary: `${delivery.eventType} to ${host}: ${outcome}${sent ? '' : ` (attempt ${attempt})`}`,
    error: sent ? null : { code: `webhook.${response.errorClass}`, message: response.error ?? outcome, retryable: response.statusCode !== 410 },
    details: { deliveryId: delivery.id, eventType: delivery.eventType, attempt, statusCode: response.statusCode, latencyMs: Math.round(response.latencyMs) },
  };
}
