// How the CLI reports failures to a person: one `ingest: ...` line, the stack only with --debug.
import { SQSServiceException } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../helpers/cli.ts';
import { describeError } from '../../cli/errors.ts';
import { CliError } from '../../cli/target.ts';

/** A loopback port that nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('ingest redrive against an emulator endpoint that refuses connections', () => {
  let dir: string;
  let outputs: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ingest-errors-'));
    const edge = `http://127.0.0.1:${await closedPort()}`;
    outputs = join(dir, 'outputs.json');
    writeFileSync(outputs, JSON.stringify({
      'Docflow-dev': {
        ApiUrl: `${edge}/_aws/execute-api/abc123/dev`,
        BucketName: 'docflow-dev-documents',
        TableName: 'table',
        QueueUrl: `${edge}/000000000000/queue`,
        DeadLetterQueueUrl: `${edge}/000000000000/dead-letters`,
      },
    }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the SDK error as one line, with no stack trace, and exits 1', async () => {
    const { code, stdout, stderr } = await ingest('redrive', '--outputs', outputs, '--timeout', '5');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^ingest: .*ECONNREFUSED.* \(--debug shows the stack trace\)\n$/);
  });

  it('adds the stack trace with --debug', async () => {
    const { code, stderr } = await ingest('redrive', '--outputs', outputs, '--debug');
    expect(code).toBe(1);
    expect(stderr.split('\n')[0]).toMatch(/^ingest: .*ECONNREFUSED/);
    expect(stderr).toMatch(/\n {4}at /);
  });

  it('keeps a usage error to its sentence and exit code 2', async () => {
    const { code, stderr } = await ingest('redrive', '--outputs', join(dir, 'missing.json'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^ingest: Cannot read the outputs file .*missing\.json \(ENOENT\): .*\n$/);
  });
});

describe('describeError', () => {
  it('gives an SDK error its name, message and HTTP status on one line', () => {
    const error = new SQSServiceException({
      name: 'InvalidAction',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'The action StartMessageMoveTask\nis not valid for this endpoint.',
    });
    expect(describeError(error)).toBe('InvalidAction: The action StartMessageMoveTask is not valid for this endpoint. (HTTP 400)');
  });

  it('reads the first cause of an AggregateError with no message of its own', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(describeError(new AggregateError([refused], ''))).toBe('connect ECONNREFUSED 127.0.0.1:9');
  });

  it('keeps a CliError to its sentence, and a system error gets its code', () => {
    expect(describeError(new CliError('No outputs file.'))).toBe('No outputs file.');
    expect(describeError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe('socket hang up (ECONNRESET)');
    expect(describeError('plain text')).toBe('plain text');
  });
});
