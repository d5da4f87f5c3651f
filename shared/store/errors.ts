import {
  DynamoDBServiceException,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';

/**
 * The table could not serve a request for now (throttled, or a 5xx from DynamoDB after the
 * SDK's own retries). Transient: the parser lets SQS retry the record; the API answers 503
 * with `Retry-After` instead of a 500.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/** The domain error for an SDK error that means "try again later", or the error itself. */
export function toStoreError(error: unknown): unknown {
  const transient =
    error instanceof ProvisionedThroughputExceededException ||
    error instanceof ThrottlingException ||
    error instanceof RequestLimitExceeded ||
    (error instanceof DynamoDBServiceException && (error.$metadata.httpStatusCode ?? 0) >= 500);
  return transient ? new StoreUnavailableError('DynamoDB is throttling or unavailable; try again shortly.', { cause: error }) : error;
}
