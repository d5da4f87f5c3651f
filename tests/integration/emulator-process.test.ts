import { PutObjectCommand } from '@aws-sdk/client-s3';
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startEmulatorProcess } from '../../local/emulator-host.ts';
import { localS3Client, temporaryFolder, type EmulatorS3Event } from '../../local/emulators.ts';

describe('the emulator process', () => {
  it('has delivered the event of every answered upload once eventsDelivered resolves, and answers after it stops', async () => {
    const directory = await temporaryFolder('ingest-events-');
    const events: EmulatorS3Event[] = [];
    const emulators = await startEmulatorProcess(
      { s3Port: 0, s3Directory: directory, buckets: ['docs'], dynamodbPort: 0, dynamodbDirectory: null },
      (event) => events.push(event),
    );
    const s3 = localS3Client(emulators.s3Endpoint);
    try {
      for (let i = 0; i < 20; i++) {
        await s3.send(new PutObjectCommand({ Bucket: 'docs', Key: `k${i}.txt`, Body: 'text' }));
        await emulators.eventsDelivered(10_000);
        expect(events.map((event) => event.key)).toContain(`k${i}.txt`);
      }
      // Requests in parallel: each answer comes back through its own barrier.
      await Promise.all([emulators.eventsDelivered(), emulators.eventsDelivered(), emulators.eventsDelivered()]);
    } finally {
      s3.destroy();
      await emulators.stop();
      await rm(directory, { recursive: true, force: true });
    }
    await emulators.eventsDelivered(1_000);
    expect(events).toHaveLength(20);
  });
});
