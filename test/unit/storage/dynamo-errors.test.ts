import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/domain/app-error.ts';
import { translateDynamoError } from '../../../shared/storage/dynamo-errors.ts';

const sdkError = (name: string, status = 400, extra: object = {}) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('translateDynamoError', () => {
  it('turns failed conditions into a retryable storage.conflict', () => {
    expect(translateDynamoError(sdkError('ConditionalCheckFailedException'), 'Op')).toMatchObject({ code: 'storage.conflict', retryable: true });
    const cancelled = sdkError('TransactionCanceledException', 400, { CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }] });
    expect(translateDynamoError(cancelled, 'Op')).toMatchObject({ code: 'storage.conflict' });
  });

  it('marks throttling, transaction conflicts, 5xx and network failures retryable', () => {
    for (const error of [
      sdkError('ProvisionedThroughputExceededException'),
      sdkError('ThrottlingException'),
      sdkError('RequestLimitExceeded'),
      sdkError('InternalServerError', 500),
      sdkError('SomethingNew', 503),
      sdkError('TransactionCanceledException', 400, { CancellationReasons: [{ Code: 'TransactionConflict' }] }),
      Object.assign(new Error('socket'), { code: 'ECONNRESET' }),
    ]) {
      expect(translateDynamoError(error, 'Op')).toMatchObject({ code: 'internal.unexpected', retryable: true });
    }
  });

  it('marks defects (validation, missing table) not retryable and hides the SDK type', () => {
    for (const name of ['ValidationException', 'ResourceNotFoundException']) {
      const translated = translateDynamoError(sdkError(name), 'ConnectionStore.get');
      expect(translated).toBeInstanceOf(AppError);
      expect(translated).toMatchObject({ code: 'internal.unexpected', retryable: false, message: `DynamoDB ConnectionStore.get failed: ${name}` });
    }
  });

  it('passes AppErrors through unchanged', () => {
    const original = new AppError('resource.not_found', 'gone');
    expect(translateDynamoError(original, 'Op')).toBe(original);
  });
});
