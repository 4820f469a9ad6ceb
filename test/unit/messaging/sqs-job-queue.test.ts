import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { SqsJobQueue } from '../../../shared/messaging/sqs-job-queue.ts';

const sqs = mockClient(SQSClient);
const noSleep = async () => {};

describe('SqsJobQueue', () => {
  beforeEach(() => sqs.reset());

  it('sends in batches of 10 with JSON bodies and clamps delays to 15 minutes', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = new SqsJobQueue<{ n: number }>({ client: new SQSClient({}), queueUrl: 'https://sqs/q', sleep: noSleep });
    await queue.send(Array.from({ length: 12 }, (_, n) => ({ body: { n }, delaySeconds: n === 0 ? 5_000 : 3 })));
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.length)).toEqual([10, 2]);
    expect(calls[0]!.args[0].input.Entries![0]).toMatchObject({ MessageBody: '{"n":0}', DelaySeconds: 900 });
    expect(calls[0]!.args[0].input.QueueUrl).toBe('https://sqs/q');
  });

  it('retries entries that failed on the server side and refuses sender faults', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [{ Id: '0', MessageId: 'a', MD5OfMessageBody: '' }], Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError' }] })
      .resolves({ Successful: [{ Id: '1', MessageId: 'b', MD5OfMessageBody: '' }], Failed: [] });
    const queue = new SqsJobQueue({ client: new SQSClient({}), queueUrl: 'q', sleep: noSleep });
    await queue.send([{ body: 'a' }, { body: 'b' }]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[1]!.args[0].input.Entries!.map((e) => e.Id)).toEqual(['1']);

    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidMessageContents' }] });
    const error = await queue.send([{ body: 'x' }]).catch((e: unknown) => e);
    expect(isAppError(error, 'input.invalid')).toBe(true);
  });

  it('changes visibility within the SQS bounds', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const queue = new SqsJobQueue({ client: new SQSClient({}), queueUrl: 'q', sleep: noSleep });
    await queue.changeVisibility('rh-1', 100_000);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]!.args[0].input).toEqual({ QueueUrl: 'q', ReceiptHandle: 'rh-1', VisibilityTimeout: 43_200 });
  });
});
