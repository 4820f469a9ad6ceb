import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newWebhookSecret, signatureHeader, signedHeaders, signWebhook, WEBHOOK_USER_AGENT } from '../../../shared/domain/webhook-signature.ts';

const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

/** Bodies as the spec scenario asks: empty, unicode (astral planes too), JSON, and around 20 KB. */
const bodies = fc.oneof(
  { arbitrary: fc.constant(''), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }), weight: 4 },
  { arbitrary: fc.json(), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 19_000, maxLength: 21_000 }), weight: 1 },
);
const messageIds = fc.stringMatching(/^msg_[0-9A-Za-z]{10,30}$/);

function headersFor(secrets: string[], id: string, timestamp: number, body: string) {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader(secrets, id, timestamp, body) };
}

/** Replaces byte `index` of `text` (as UTF-8) by a different byte. */
function changeByte(text: string, index: number, xor: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  bytes[index] = bytes[index]! ^ xor;
  return bytes;
}

/** Arbitrary bodies are not all JSON: verify the signature only (our real bodies are JSON and parse too). */
function rejects(verifier: Webhook, payload: string | Buffer, headers: Record<string, string>): boolean {
  try {
    verifier.verify(payload, headers, { jsonParse: false });
    return false;
  } catch {
    return true;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Standard Webhooks signatures', () => {
  it('reproduces the spec test vector, which the reference verifier accepts', () => {
    // Act
    const signature = signWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body);

    // Assess
    expect(signature).toBe(VECTOR.signature);
    vi.useFakeTimers({ now: VECTOR.timestamp * 1000, toFake: ['Date'] });
    expect(new Webhook(VECTOR.secret).verify(VECTOR.body, { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': signature })).toEqual({ test: 2432232314 });
  });

  it('makes secrets of whsec_ + base64 of 32 random bytes, all different', () => {
    const secrets = Array.from({ length: 50 }, newWebhookSecret);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('sends every header the spec and our contract name, and refuses an id with a dot', () => {
    const headers = signedHeaders([VECTOR.secret], VECTOR.id, VECTOR.timestamp, VECTOR.body);

    expect(headers).toEqual({
      'webhook-id': VECTOR.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': VECTOR.signature,
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
    });
    expect(() => signedHeaders([VECTOR.secret], 'msg.1', VECTOR.timestamp, VECTOR.body)).toThrow(/must not contain/);
  });

  it('is accepted by the npm standardwebhooks verifier for 1,000 bodies, and any single changed byte of id, timestamp or body is rejected', () => {
    const secret = newWebhookSecret();
    const verifier = new Webhook(secret);
    let checked = 0;
    fc.assert(
      fc.property(bodies, messageIds, fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (body, id, bodyPick, idPick, timestampPick, xor) => {
        // Prepare
        const timestamp = Math.floor(Date.now() / 1000);
        const headers = headersFor([secret], id, timestamp, body);

        // Act + Assess: accepted as sent (bytes and string alike)
        expect(rejects(verifier, body, headers)).toBe(false);
        expect(rejects(verifier, Buffer.from(body, 'utf8'), headers)).toBe(false);

        const bodyBytes = Buffer.byteLength(body, 'utf8');
        if (bodyBytes > 0) expect(rejects(verifier, changeByte(body, bodyPick % bodyBytes, xor), headers)).toBe(true);
        const changedId = changeByte(id, idPick % id.length, xor).toString('latin1');
        expect(rejects(verifier, body, { ...headers, 'webhook-id': changedId })).toBe(true);
        const stamp = String(timestamp);
        const changedTimestamp = changeByte(stamp, timestampPick % stamp.length, xor).toString('latin1');
        expect(rejects(verifier, body, { ...headers, 'webhook-timestamp': changedTimestamp })).toBe(true);
        checked += 1;
      }),
      { numRuns: 1_000 },
    );
    expect(checked).toBe(1_000);
  });

  it('rejects a timestamp moved by one second even within the verifier tolerance (the timestamp is signed)', () => {
    const secret = newWebhookSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = headersFor([secret], VECTOR.id, timestamp, VECTOR.body);

    expect(rejects(new Webhook(secret), VECTOR.body, { ...headers, 'webhook-timestamp': String(timestamp - 1) })).toBe(true);
    expect(rejects(new Webhook(secret), VECTOR.body, headers)).toBe(false);
  });

  it('during a rotation overlap signs with both secrets: old-only and new-only verifiers accept, a stranger does not', () => {
    fc.assert(
      fc.property(bodies, messageIds, (body, id) => {
        const previous = newWebhookSecret();
        const current = newWebhookSecret();
        const headers = headersFor([current, previous], id, Math.floor(Date.now() / 1000), body);

        expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
        expect(rejects(new Webhook(previous), body, headers)).toBe(false);
        expect(rejects(new Webhook(current), body, headers)).toBe(false);
        expect(rejects(new Webhook(newWebhookSecret()), body, headers)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
