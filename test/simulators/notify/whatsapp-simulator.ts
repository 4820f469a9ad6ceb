import { randomBytes } from 'node:crypto';
import { answer, serveLoopback, type Fault, type LoopbackServer, type OutboxEntry } from './http.ts';

/**
 * WhatsApp Cloud API `POST /{version}/{phone-number-id}/messages` for template messages. Errors have the
 * Graph shape `{error: {message, type, code, error_subcode?, fbtrace_id}}` with the Cloud API codes: 190
 * (token), 100 (bad parameter), 132001 (template does not exist in that language), 132000 (parameter count
 * mismatch), 131030 (recipient not in the allowed list), 130429 (throughput), 131000 (something went wrong).
 */
export interface WhatsAppTemplate {
  name: string;
  language: string;
  /** Body with {{1}}, {{2}}… placeholders. */
  body: string;
}

export interface WhatsAppSimulator extends LoopbackServer {
  phoneNumberId: string;
  token: string;
  templates: WhatsAppTemplate[];
  /** When set, only these recipients (digits, no +) are accepted, as for a test number. */
  allowedRecipients: Set<string> | null;
  messages: OutboxEntry[];
  faults: Fault[];
  throttleNext(): void;
}

const graphError = (status: number, code: number, message: string, type = 'OAuthException'): Fault => ({
  status,
  headers: { 'content-type': 'application/json', 'www-authenticate': status === 401 ? 'OAuth "Facebook Platform" "invalid_token"' : '' },
  body: JSON.stringify({ error: { message, type, code, error_data: { messaging_product: 'whatsapp', details: message }, fbtrace_id: randomBytes(8).toString('base64url') } }),
});

export const SANDBOX_WHATSAPP_TEMPLATES: WhatsAppTemplate[] = [
  { name: 'booking_confirmed', language: 'en', body: 'Your booking {{1}} is confirmed for {{2}}. Join: {{3}}' },
  { name: 'booking_rescheduled', language: 'en', body: 'Your booking {{1}} moved to {{2}}. Join: {{3}}' },
  { name: 'booking_cancelled', language: 'en', body: 'Your booking {{1}} on {{2}} was cancelled.' },
  { name: 'booking_reminder', language: 'en', body: 'Reminder: {{1}} starts {{2}}. Join: {{3}}' },
  { name: 'operator_alert', language: 'en', body: '{{1}}: {{2}}' },
];

export async function startWhatsAppSimulator(options: { port?: number; phoneNumberId?: string; token?: string } = {}): Promise<WhatsAppSimulator> {
  const phoneNumberId = options.phoneNumberId ?? '100000000000001';
  const token = options.token ?? 'sandbox-whatsapp-token';
  const templates = SANDBOX_WHATSAPP_TEMPLATES.map((t) => ({ ...t }));
  const messages: OutboxEntry[] = [];
  const faults: Fault[] = [];
  const state: { allowedRecipients: Set<string> | null } = { allowedRecipients: null };
  const server = await serveLoopback((request, body, response) => {
    const reply = (fault: Fault) => answer(response, fault.status, fault.body, fault.headers);
    const match = /^\/v\d+\.\d+\/([^/]+)\/messages$/.exec(request.url ?? '');
    if (request.method !== 'POST' || !match) return reply(graphError(400, 100, 'Unsupported post request.', 'GraphMethodException'));
    if (request.headers.authorization !== `Bearer ${token}`) return reply(graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token'));
    if (decodeURIComponent(match[1]!) !== phoneNumberId) return reply(graphError(400, 100, `Unsupported post request. Object with ID '${match[1]}' does not exist`, 'GraphMethodException'));
    let payload: { messaging_product?: string; to?: string; type?: string; template?: { name?: string; language?: { code?: string }; components?: { type: string; parameters?: { type: string; text?: string }[] }[] } };
    try {
      payload = JSON.parse(body) as typeof payload;
    } catch {
      return reply(graphError(400, 100, 'Invalid parameter'));
    }
    if (payload.messaging_product !== 'whatsapp') return reply(graphError(400, 100, 'The parameter messaging_product is required.'));
    if (!payload.to || !/^[1-9]\d{6,14}$/.test(payload.to)) return reply(graphError(400, 100, 'Invalid parameter: to'));
    if (payload.type !== 'template' || !payload.template) return reply(graphError(400, 131047, 'Re-engagement message: more than 24 hours have passed since the recipient last replied'));
    const template = templates.find((t) => t.name === payload.template!.name && t.language === payload.template!.language?.code);
    if (!template) return reply(graphError(404, 132001, `(#132001) Template name does not exist in the translation`));
    const parameters = (payload.template.components ?? []).filter((c) => c.type === 'body').flatMap((c) => c.parameters ?? []).map((p) => p.text ?? '');
    const expected = new Set(template.body.match(/\{\{\d+\}\}/g) ?? []).size;
    if (parameters.length !== expected) return reply(graphError(400, 132000, `(#132000) Number of parameters does not match the expected number of params`));
    if (state.allowedRecipients && !state.allowedRecipients.has(payload.to)) return reply(graphError(400, 131030, '(#131030) Recipient phone number not in allowed list'));
    const id = `wamid.${randomBytes(18).toString('base64url')}`;
    const rendered = template.body.replace(/\{\{(\d+)\}\}/g, (_, n: string) => parameters[Number(n) - 1] ?? '');
    messages.push({ channel: 'whatsapp', recipient: `+${payload.to}`, subject: template.name, body: rendered, providerMessageId: id, at: new Date().toISOString() });
    answer(response, 200, JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: payload.to, wa_id: payload.to }], messages: [{ id }] }), { 'content-type': 'application/json' });
  }, faults, options.port ?? 0);
  return {
    ...server,
    phoneNumberId,
    token,
    templates,
    get allowedRecipients() {
      return state.allowedRecipients;
    },
    set allowedRecipients(value) {
      state.allowedRecipients = value;
    },
    messages,
    faults,
    throttleNext: () => faults.push(graphError(429, 130429, '(#130429) Rate limit hit')),
  };
}
