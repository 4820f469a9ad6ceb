// `npm start`: the whole backend on this machine (see infra/local/local-stack.ts).
import { parseArgs } from 'node:util';
import { startLocalStack } from '../infra/local/local-stack.ts';

const { values } = parseArgs({
  options: {
    persist: { type: 'boolean', default: false },
    port: { type: 'string' },
    'no-sandbox': { type: 'boolean', default: false },
  },
});

const startedAt = Date.now();
const stack = await startLocalStack({
  persist: values.persist || process.env.PERSIST === '1',
  ...(values.port ? { port: Number(values.port) } : {}),
  sandbox: values['no-sandbox'] ? 'off' : 'auto',
});

const lines = [
  '',
  `calendar-integrations local stack is up (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`,
  `  API            ${stack.url}   (GET /health, GET /openapi.json, /v1/...)`,
  `  DynamoDB Local ${stack.dynamo.endpoint}   (${values.persist || process.env.PERSIST === '1' ? 'persisted under .data/dynamodb' : 'in memory'})`,
  `  JWT issuer     ${stack.issuer.issuer}   (JWKS: ${stack.url}/.well-known/jwks.json)`,
  `  Timers         ${stack.url}/local/timers · ${stack.url}/local/clock (POST {"advanceSeconds":n} moves time ahead: reminders fire)`,
  `  Debug          ${stack.url}/local/events · ${stack.url}/local/queues · ${stack.url}/local/outbox · POST ${stack.url}/local/tokens {"tenantId":"..."}`,
  ...Object.entries(stack.sandbox.running).map(([name, description]) => `  Sandbox        ${name}: ${description}`),
  '',
  `Development token (tenant "${stack.devTenantId}", valid 30 days):`,
  stack.devToken,
  '',
  `Try:  curl -H "Authorization: Bearer $TOKEN" ${stack.url}/v1/connections`,
  'Stop with Ctrl-C.',
  '',
];
console.log(lines.join('\n'));

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await stack.stop();
  console.log('stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
