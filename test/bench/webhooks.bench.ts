// Webhook pipeline throughput and latency through the local stack (bus → fan-out queue → delivery queue →
// signed POST to a loopback receiver), against a floor measured in the same run: the same signed POSTs sent
// straight to the receiver with the same sender. Medians of several runs; ratios, not absolute targets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleFunction } from '../../infra/bundle.ts';
import { domainEvent, type DomainEvent } from '../../shared/domain/domain-events.ts';
import { signedHeaders } from '../../shared/domain/webhook-signature.ts';
import { startWebhookReceiver } from '../simulators/webhook-receiver/receiver.ts';
import type { BenchTable } from './run.ts';

const RUNS = 3;
const LATENCY_EVENTS = 100;
const WARMUP_EVENTS = 20;
const THROUGHPUT_EVENTS = 300;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (value: number) => Number(value.toFixed(1));
const ratio = (value: number) => Number(value.toPrecision(3));

function event(tenantId: string, n: number): DomainEvent {
  return domainEvent('calendar.sync.completed', tenantId, {
    connectionId: 'con_bench',
    calendarId: 'cal_bench',
    mode: 'incremental',
    resynced: false,
    created: n,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    pages: 1,
    durationMs: 1,
  });
}

export default async function webhooksBench(): Promise<BenchTable> {
  process.env.ALLOW_INSECURE_WEBHOOK_URLS = '1';
  const { startLocalStack } = await import('../../infra/local/local-stack.ts');
  const { logger } = await import('../../shared/runtime/logger.ts');
  const { endpointAdminDeps, webhookSender } = await import('../../shared/runtime/deps/webhooks.ts');
  const { createWebhookEndpoint } = await import('../../shared/use-cases/webhooks/manage-endpoints.ts');
  logger.setLogLevel('ERROR');

  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-webhooks-'));
  const stack = await startLocalStack({ port: 0, dataDir, schedules: false, sandbox: 'off', log: () => {} });
  const acked = new Map<string, number>();
  const receiver = await startWebhookReceiver({
    onDelivery: (delivery) => {
      if (delivery.webhookId && delivery.answered === 200) acked.set(delivery.webhookId, performance.now());
    },
  });
  try {
    const tenantId = 'bench-tenant';
    const endpoint = await createWebhookEndpoint(endpointAdminDeps(), { tenantId, url: receiver.url, eventTypes: ['calendar.*'] });
    const waitAcked = async (ids: string[], timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (ids.some((id) => !acked.has(id))) {
        if (Date.now() > deadline) throw new Error(`only ${ids.filter((id) => acked.has(id)).length}/${ids.length} delivered in ${timeoutMs} ms`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };

    // Warm the handlers, the stores and the connection pool.
    for (let i = 0; i < WARMUP_EVENTS; i++) {
      const e = event(tenantId, i);
      await stack.bus.publish([e]);
      await waitAcked([e.id], 10_000);
    }

    // Latency: one event at a time, published → acknowledged by the receiver.
    const p50s: number[] = [];
    const p99s: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const latencies: number[] = [];
      for (let i = 0; i < LATENCY_EVENTS; i++) {
        const e = event(tenantId, 1_000 + run * LATENCY_EVENTS + i);
        const started = performance.now();
        await stack.bus.publish([e]);
        await waitAcked([e.id], 10_000);
        latencies.push(acked.get(e.id)! - started);
      }
      p50s.push(percentile(latencies, 50));
      p99s.push(percentile(latencies, 99));
    }

    // Throughput: a burst published at once, until every delivery is acknowledged.
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const burst = Array.from({ length: THROUGHPUT_EVENTS }, (_, i) => event(tenantId, 100_000 + run * THROUGHPUT_EVENTS + i));
      const started = performance.now();
      await stack.bus.publish(burst);
      await waitAcked(burst.map((e) => e.id), 120_000);
      rates.push(THROUGHPUT_EVENTS / ((performance.now() - started) / 1000));
    }

    // Floor: the same signed POSTs straight to the receiver (no bus, queues or storage).
    const sender = webhookSender();
    const body = JSON.stringify({ type: 'calendar.sync.completed', timestamp: new Date().toISOString(), data: event(tenantId, 0).data });
    const send = (id: string) =>
      sender.send({ url: receiver.url, headers: { ...signedHeaders([endpoint.secret], id, Math.floor(Date.now() / 1000), body) }, body, timeoutMs: 15_000 });
    const floorP50s: number[] = [];
    const floorRates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const latencies: number[] = [];
      for (let i = 0; i < LATENCY_EVENTS; i++) {
        const started = performance.now();
        await send(`msg_floor${run}x${i}`);
        latencies.push(performance.now() - started);
      }
      floorP50s.push(percentile(latencies, 50));
      const started = performance.now();
      const ids = Array.from({ length: THROUGHPUT_EVENTS }, (_, i) => `msg_floorburst${run}x${i}`);
      for (let i = 0; i < ids.length; i += 10) await Promise.all(ids.slice(i, i + 10).map(send));
      floorRates.push(THROUGHPUT_EVENTS / ((performance.now() - started) / 1000));
    }

    const bundleDir = mkdtempSync(path.join(tmpdir(), 'bench-webhook-bundle-'));
    const bundle = await bundleFunction('functions/webhook-delivery/handler.ts', bundleDir);
    rmSync(bundleDir, { recursive: true, force: true });

    const p50 = median(p50s);
    const p99 = median(p99s);
    const rate = median(rates);
    const floorP50 = median(floorP50s);
    const floorRate = median(floorRates);
    return {
      title: 'Webhooks: local pipeline (bus → fan-out → delivery queue → signed POST) against a direct POST floor',
      columns: ['measure', 'pipeline', 'floor (direct signed POST)', 'pipeline / floor', 'target'],
      rows: [
        ['published → acknowledged p50 (ms, warm, one at a time)', ms(p50), ms(floorP50), ratio(p50 / floorP50), '—'],
        ['published → acknowledged p99 (ms, warm, one at a time)', ms(p99), '—', '—', 'p99 ≤ 1,000 ms (performance.md)'],
        [`deliveries per second (burst of ${THROUGHPUT_EVENTS})`, ms(rate), ms(floorRate), ratio(rate / floorRate), '—'],
        ['webhook-delivery bundle, startup gzip KB', ms(bundle.startup.gzipBytes / 1024), '—', '—', '≤ 180 KB'],
        ['webhook-delivery bundle, all files gzip KB (SDK chunks loaded on first use)', ms(bundle.totalGzipBytes / 1024), '—', '—', '—'],
      ],
      notes: [
        `Medians of ${RUNS} runs; latency runs of ${LATENCY_EVENTS} events after ${WARMUP_EVENTS} warm-up deliveries; throughput bursts of ${THROUGHPUT_EVENTS} events to one endpoint.`,
        'Pipeline: the local stack in this process (DynamoDB Local, in-process bus and SQS-faithful queues polled every 25 ms, the real fan-out and delivery handlers), one loopback receiver answering 200.',
        'Per delivery the pipeline does: fan-out (endpoint query, conditional put, queue send, queued mark) and delivery (delivery read, endpoint read with secrets, signed POST, conditional record).',
        'The local queues hand batches to one consumer invocation at a time (Lambda would run several in parallel), so the throughput is a floor for the deployed stack, bound by DynamoDB Local.',
        'Floor: the same signed POSTs through the same sender straight to the receiver, one at a time (latency) and 10 at a time (throughput).',
      ],
    };
  } finally {
    await receiver.stop();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
