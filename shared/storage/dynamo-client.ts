import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoDocumentClientOptions {
  region: string;
  /** DynamoDB Local (local stack, tests); unset in AWS. */
  endpoint?: string | undefined;
}

/**
 * The one way the storage adapters get a client: built once per cold start. Undefined attributes are
 * dropped (optional domain fields) and class instances are refused, so a stray `Date` fails loudly
 * instead of being stored as an empty map.
 */
export function createDynamoDocumentClient(options: DynamoDocumentClientOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: options.region,
    ...(options.endpoint
      ? {
          endpoint: options.endpoint,
          // DynamoDB Local accepts any credentials; fixed ones keep the default chain from probing the host.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
