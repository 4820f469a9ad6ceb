import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import { ensureSimulatorCa } from '../simulators/microsoft/tls.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

let dynamo: DynamoDbLocal | undefined;

/** Starts one DynamoDB Local for the whole run (each test file creates its own table on it). */
export async function setup(project: TestProject): Promise<void> {
  dynamo = await startDynamoDbLocal();
  // The Graph simulator serves HTTPS with a local CA; forked workers inherit the variable and trust it.
  process.env.NODE_EXTRA_CA_CERTS = ensureSimulatorCa('.data/simulator-ca').caCertPath;
  project.provide('dynamoEndpoint', dynamo.endpoint);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
}
