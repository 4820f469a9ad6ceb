import { randomBytes } from 'node:crypto';
import { answer, serveLoopback, type Fault, type LoopbackServer, type OutboxEntry } from './http.ts';

/**
 * Slack incoming webhooks: POST /services/T…/B…/secret with `{text, blocks}`. Answers as Slack does, in
 * plain text: `ok`; 400 invalid_payload / no_text / invalid_blocks; 404 no_service for an unknown hook;
 * 410 channel_is_archived; 429 with Retry-After (queued with `throttleNext`).
 */
export interface SlackSimulator extends LoopbackServer {
  messages: (OutboxEntry & { blocks: unknown[] })[];
  /** A new hook URL that accepts messages. */
  createHook(): string;
  archive(hookUrl: string): void;
  remove(hookUrl: string): void;
  faults: Fault[];
  throttleNext(retryAfterSeconds?: number): void;
}

const text = (status: number, word: string, headers: Record<string, string> = {}): Fault => ({ status, body: word, headers: { 'content-type': 'text/plain', ...headers } });

function blockText(block: Record<string, unknown>): string {
  const t = block.text as { text?: string } | undefined;
  const fields = (block.fields as { text?: string }[] | undefined)?.map((f) => f.text ?? '') ?? [];
  return [t?.text ?? '', ...fields].filter(Boolean).join('\n');
}

export async function startSlackSimulator(port = 0): Promise<SlackSimulator> {
  const hooks = new Map<string, 'active' | 'archived'>();
  const messages: SlackSimulator['messages'] = [];
  const faults: Fault[] = [];
  const server = await serveLoopback((request, body, response) => {
    const reply = (fault: Fault) => answer(response, fault.status, fault.body, fault.headers);
    const path = request.url ?? '';
    const state = hooks.get(path);
    if (request.method !== 'POST' || !state) return reply(text(404, 'no_service'));
    if (state === 'archived') return reply(text(410, 'channel_is_archived'));
    let payload: { text?: unknown; blocks?: unknown };
    try {
      payload = JSON.parse(body) as typeof payload;
    } catch {
      return reply(text(400, 'invalid_payload'));
    }
    if (payload.blocks !== undefined) {
      const valid = Array.isArray(payload.blocks) && payload.blocks.length <= 50 && payload.blocks.every((b) => typeof b === 'object' && b !== null && typeof (b as { type?: unknown }).type === 'string');
      if (!valid) return reply(text(400, 'invalid_blocks'));
    }
    if (typeof payload.text !== 'string' || payload.text === '') {
      if (!Array.isArray(payload.blocks) || payload.blocks.length === 0) return reply(text(400, 'no_text'));
    }
    const blocks = (payload.blocks as Record<string, unknown>[] | undefined) ?? [];
    const header = blocks.find((b) => b.type === 'header');
    messages.push({
      channel: 'slack',
      recipient: path,
      subject: header ? blockText(header) : null,
      body: blocks.length ? blocks.map(blockText).filter(Boolean).join('\n') : String(payload.text),
      providerMessageId: '',
      at: new Date().toISOString(),
      blocks,
    });
    reply(text(200, 'ok'));
  }, faults, port);
  const pathOf = (hookUrl: string) => new URL(hookUrl).pathname;
  return {
    ...server,
    messages,
    faults,
    createHook() {
      const path = `/services/T${randomBytes(4).toString('hex').toUpperCase()}/B${randomBytes(4).toString('hex').toUpperCase()}/${randomBytes(12).toString('hex')}`;
      hooks.set(path, 'active');
      return `${server.url}${path}`;
    },
    archive: (hookUrl) => void hooks.set(pathOf(hookUrl), 'archived'),
    remove: (hookUrl) => void hooks.delete(pathOf(hookUrl)),
    throttleNext: (retryAfterSeconds = 1) => faults.push(text(429, 'rate_limited', { 'retry-after': String(retryAfterSeconds) })),
  };
}
