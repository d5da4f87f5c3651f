import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3BodyStore } from '../../shared/bodies.ts';
import { createDynamoStore, StoreUnavailableError } from '../../shared/store/index.ts';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION, startEmulators, type Emulators } from '../helpers/emulators.ts';

describe('store errors', () => {
  let emulators: Emulators;
  beforeAll(async () => {
    emulators = await startEmulators();
  });
  afterAll(() => emulators?.stop());

  it('turns DynamoDB throttling into StoreUnavailableError, and leaves other errors alone', async () => {
    // Prepare: a client whose every call is throttled (a fault dynalite cannot produce).
    const client = new DynamoDBClient({ endpoint: emulators.dynamodbEndpoint, region: EMULATOR_REGION, credentials: EMULATOR_CREDENTIALS, maxAttempts: 1 });
    client.middlewareStack.add(
      () => async () => {
        throw new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds the allowed throughput.', $metadata: { httpStatusCode: 400 } });
      },
      { step: 'finalizeRequest', name: 'throttleEverything', priority: 'low' },
    );
    const bodies = createS3BodyStore({ s3: emulators.s3Client(), bucket: emulators.bodiesBucket });
    const store = createDynamoStore({ client, tableName: emulators.tableName, bodies });
    // Act + Assess
    await expect(store.getDocument('d000000000000000000000000')).rejects.toBeInstanceOf(StoreUnavailableError);
    const healthy = createDynamoStore({ client: emulators.dynamodbClient(), tableName: 'no-such-table', bodies });
    await expect(healthy.getDocument('d000000000000000000000000')).rejects.not.toBeInstanceOf(StoreUnavailableError);
  });
});
