import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/domain/app-error.ts';
import type { NotificationSender, OutboundMessage, SendResult } from '../../shared/ports/notification-sender.ts';
import type { OutboxEntry } from '../simulators/notify/index.ts';

/**
 * The one contract every notification sender passes, each against a local double that speaks its
 * provider's wire format: what was accepted arrives as sent with the provider's id; a throttled answer is a
 * retryable `notify.throttled`; each permanent refusal is a non-retryable error with its `notify.*` code.
 */
export interface SenderHarness<M extends OutboundMessage> {
  name: string;
  sender(): NotificationSender<M>;
  /** Sends a valid message with the same adapter pointed at a closed loopback port. */
  sendUnreachable(): Promise<SendResult>;
  message(overrides?: { recipientSuffix?: string }): M;
  /** What the double received (its store, decoded from the wire). */
  delivered(): Promise<OutboxEntry[]>;
  /** The recipient as the double records it. */
  recipientOf(message: M): string;
  /** Words of the message body that must arrive. */
  bodyWords(message: M): string[];
  throttleNext(): void;
  /** Permanent refusals the provider can answer, with the code each must become. */
  permanent: { name: string; arrange(message: M): M | Promise<M>; code: AppError['code'] }[];
}

async function rejection(promise: Promise<SendResult>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected the send to fail');
}

export function notificationSenderContract<M extends OutboundMessage>(harness: () => SenderHarness<M>): void {
  describe('notification sender contract', () => {
    it('delivers the message, and answers the id the provider gave it', async () => {
      const h = harness();
      const message = h.message({ recipientSuffix: 'ok' });
      const before = (await h.delivered()).length;
      const result = await h.sender().send(message);
      expect(result.providerMessageId).toMatch(/\S{6,}/);
      const after = await h.delivered();
      expect(after).toHaveLength(before + 1);
      const entry = after.at(-1)!;
      expect(entry.recipient).toBe(h.recipientOf(message));
      for (const word of h.bodyWords(message)) expect(entry.body).toContain(word);
      if (entry.providerMessageId) expect(entry.providerMessageId).toBe(result.providerMessageId);
    });

    it('two sends are two messages with distinct ids', async () => {
      const h = harness();
      const a = await h.sender().send(h.message({ recipientSuffix: 'a' }));
      const b = await h.sender().send(h.message({ recipientSuffix: 'b' }));
      expect(a.providerMessageId).not.toBe(b.providerMessageId);
    });

    it('a throttled answer is a retryable notify.throttled, and nothing is delivered', async () => {
      const h = harness();
      const before = (await h.delivered()).length;
      h.throttleNext();
      const error = await rejection(h.sender().send(h.message()));
      expect(error.code).toBe('notify.throttled');
      expect(error.retryable).toBe(true);
      expect(await h.delivered()).toHaveLength(before);
    });

    it('a refused connection is a retryable notify.unavailable', async () => {
      const h = harness();
      const error = await rejection(h.sendUnreachable());
      expect(error.code).toBe('notify.unavailable');
      expect(error.retryable).toBe(true);
    });

    it('permanent refusals are not retryable and carry their code', async () => {
      const h = harness();
      expect(h.permanent.length).toBeGreaterThan(0);
      for (const refusal of h.permanent) {
        const before = (await h.delivered()).length;
        const message = await refusal.arrange(h.message({ recipientSuffix: refusal.name }));
        const error = await rejection(h.sender().send(message));
        expect({ case: refusal.name, code: error.code, retryable: error.retryable }).toEqual({ case: refusal.name, code: refusal.code, retryable: false });
        expect(await h.delivered()).toHaveLength(before);
      }
    });
  });
}
