import { randomUUID } from 'node:crypto';
import { answer, serveLoopback, type Fault, type LoopbackServer, type OutboxEntry } from './http.ts';

/**
 * Amazon SNS Publish to a phone number, over its awsQuery wire format (form-encoded `Action=Publish`, XML
 * answers, `<ErrorResponse><Error><Code>` errors). Numbers must be E.164; numbers in `optedOut` are refused
 * with OptedOut as the SMS sandbox does. The SDK reaches it through AWS_ENDPOINT_URL_SNS.
 */
export interface SnsSimulator extends LoopbackServer {
  messages: OutboxEntry[];
  /** Attributes of each publish, in order (SenderID, SMSType). */
  attributes: Record<string, string>[];
  optedOut: Set<string>;
  faults: Fault[];
  throttleNext(): void;
}

const E164 = /^\+[1-9]\d{6,14}$/;

const xmlError = (status: number, type: 'Sender' | 'Receiver', code: string, message: string): Fault => ({
  status,
  headers: { 'content-type': 'text/xml', 'x-amzn-query-error': `${code};${type}` },
  body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
});

export async function startSnsSimulator(port = 0): Promise<SnsSimulator> {
  const messages: OutboxEntry[] = [];
  const attributes: Record<string, string>[] = [];
  const optedOut = new Set<string>();
  const faults: Fault[] = [];
  const server = await serveLoopback((request, body, response) => {
    const form = new URLSearchParams(body);
    const reply = (fault: Fault) => answer(response, fault.status, fault.body, fault.headers);
    if (request.method !== 'POST' || form.get('Action') !== 'Publish') return reply(xmlError(400, 'Sender', 'InvalidAction', 'only Publish is simulated'));
    const phone = form.get('PhoneNumber') ?? '';
    const text = form.get('Message') ?? '';
    if (!E164.test(phone)) return reply(xmlError(400, 'Sender', 'InvalidParameter', `Invalid parameter: PhoneNumber Reason: ${phone} is not valid to publish to`));
    if (optedOut.has(phone)) return reply(xmlError(400, 'Sender', 'OptedOut', 'Phone number is opted out'));
    if (!text) return reply(xmlError(400, 'Sender', 'InvalidParameter', 'Invalid parameter: Message'));
    const attrs: Record<string, string> = {};
    for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i += 1) {
      attrs[form.get(`MessageAttributes.entry.${i}.Name`)!] = form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
    }
    const id = randomUUID();
    messages.push({ channel: 'sms', recipient: phone, subject: null, body: text, providerMessageId: id, at: new Date().toISOString() });
    attributes.push(attrs);
    answer(
      response,
      200,
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      { 'content-type': 'text/xml' },
    );
  }, faults, port);
  return {
    ...server,
    messages,
    attributes,
    optedOut,
    faults,
    throttleNext: () => faults.push(xmlError(400, 'Sender', 'Throttled', 'Rate exceeded')),
  };
}
