// A webhook receiver to watch deliveries by hand:
//   node_modules/.bin/node test/simulators/webhook-receiver/main.ts --port 4000 [--secret whsec_…] [--host 127.0.0.1]
// Control it from another terminal (see README.md), e.g. make it fail:
//   curl -X POST localhost:4000/_receiver/behaviour -d '{"kind":"fail","status":500}'
import { parseArgs } from 'node:util';
import { startWebhookReceiver } from './receiver.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4000' },
    host: { type: 'string', default: '127.0.0.1' },
    secret: { type: 'string', multiple: true, default: [] },
  },
});

const receiver = await startWebhookReceiver({
  port: Number(values.port),
  host: values.host,
  secrets: values.secret,
  onDelivery: (delivery) => {
    const signature = delivery.verified === null ? 'signature not checked (no --secret)' : delivery.verified ? 'signature verified' : `signature REJECTED: ${delivery.verifyError}`;
    console.log(`${new Date(delivery.receivedAt).toISOString()}  ${delivery.webhookId ?? '(no webhook-id)'}  ${delivery.type ?? '?'}  → ${delivery.answered}  ${signature}`);
    if (process.env.VERBOSE === '1') console.log(`  body: ${delivery.body}`);
  },
});

console.log(`webhook receiver listening: ${receiver.url}`);
console.log(`  deliveries: GET http://${values.host}:${receiver.port}/_receiver/deliveries`);
console.log(`  behaviour:  POST http://${values.host}:${receiver.port}/_receiver/behaviour {"kind":"ok"|"fail"|"gone"|"retry-after"|"redirect"|"hang", ...}`);
console.log(values.secret.length > 0 ? `  verifying signatures with ${values.secret.length} secret(s)` : '  no --secret given: signatures are recorded, not verified');

const stop = async () => {
  await receiver.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
