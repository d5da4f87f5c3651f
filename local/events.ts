// Turns the local S3's events into what S3 would put on the queue: one notification per
// change, the key encoded as S3 encodes it, and a sequencer that orders the changes of a key.
import { s3EventNotification } from '../shared/s3-event.ts';
import type { EmulatorS3Event } from './emulators.ts';

/**
 * Hex sequencers that increase with every call, also across restarts (they start from the
 * clock): s3rver's own are only millisecond-precise, so two quick changes to one key tie.
 *
 * @example
 * const next = sequencerClock();
 * next() < next() // as hex of equal length
 */
export function sequencerClock(now: () => number = Date.now): () => string {
  let last = 0n;
  return () => {
    const candidate = BigInt(now()) << 20n;
    last = candidate > last ? candidate : last + 1n;
    return last.toString(16).toUpperCase().padStart(18, '0');
  };
}

/**
 * The SQS message body S3 would send for an emulator event.
 *
 * @example
 * queue.send(notificationBody(event, next()));
 */
export function notificationBody(event: EmulatorS3Event, sequencer: string, region: string): string {
  return JSON.stringify(
    s3EventNotification({
      bucket: event.bucket,
      key: event.key,
      eventName: event.eventName,
      sequencer,
      eventTime: event.eventTime,
      region,
      ...(event.size === undefined ? {} : { size: event.size }),
      ...(event.eTag === undefined ? {} : { eTag: event.eTag }),
    }),
  );
}
