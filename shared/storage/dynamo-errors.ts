import { AppError } from '../domain/app-error.ts';

/**
 * DynamoDB errors become AppErrors here, at the edge of the storage layer: nothing outside `shared/storage`
 * sees an SDK error type. Matching is by `name` because lib-dynamodb re-throws the client's errors and
 * tests may build them without the SDK classes.
 */
const RETRYABLE_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TransactionInProgressException',
  'LimitExceededException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  CancellationReasons?: { Code?: string }[];
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/** A single-item condition failed (`ConditionalCheckFailedException`). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return shapeOf(error).name === 'ConditionalCheckFailedException';
}

/** A transaction was cancelled because one of its conditions failed (not because of a conflict). */
export function isTransactionConditionFailed(error: unknown): boolean {
  const shape = shapeOf(error);
  return shape.name === 'TransactionCanceledException' && (shape.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
}

/** The conflict a port promises when an optimistic-lock condition fails. */
export function storageConflict(operation: string, cause?: unknown): AppError {
  return new AppError('storage.conflict', `${operation}: the item was changed by someone else`, { retryable: true, cause });
}

/**
 * Wraps anything a DynamoDB call threw. `operation` names our operation (`ConnectionStore.update`), never a
 * value: messages must stay free of tokens and personal data.
 */
export function translateDynamoError(error: unknown, operation: string): AppError {
  if (error instanceof AppError) return error;
  const shape = shapeOf(error);
  const name = shape.name ?? 'Error';
  if (isConditionalCheckFailed(error) || isTransactionConditionFailed(error)) {
    return storageConflict(operation, error);
  }
  const status = shape.$metadata?.httpStatusCode ?? 0;
  const retryable =
    RETRYABLE_ERROR_NAMES.has(name) ||
    status >= 500 ||
    Boolean(shape.$retryable) ||
    (shape.code !== undefined && RETRYABLE_NETWORK_CODES.has(shape.code)) ||
    (name === 'TransactionCanceledException' && (shape.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict' || reason.Code === 'ThrottlingError'));
  return new AppError('internal.unexpected', `DynamoDB ${operation} failed: ${name}`, { retryable, cause: error });
}

/** Runs one DynamoDB call and translates whatever it throws. */
export async function dynamoCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateDynamoError(error, operation);
  }
}
