// The reader of deploy outputs files (cli/target.ts, through tests/e2e/outputs.ts), on the shapes each target writes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeApiUrl, readStackOutputs, stackEndpoints } from '../../cli/target.ts';
import { readOutputs } from '../e2e/outputs.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'docflow-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENDPOINT_VARS = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SQS', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'E2E_OUTPUTS'];
let saved: Record<string, string | undefined>;
beforeEach(() => {
  saved = Object.fromEntries(ENDPOINT_VARS.map((name) => [name, process.env[name]]));
  for (const name of ENDPOINT_VARS) delete process.env[name];
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const awsStack = {
  ApiUrl: 'https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod',
  BucketName: 'docflow-prod-documents-123456789012-eu-west-1',
  BodiesBucketName: 'docflow-prod-bodies',
  TableName: 'Docflow-prod-Table',
  QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
  DeadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
  Region: 'eu-west-1',
};

describe('readOutputs', () => {
  it('reads an AWS outputs file, with no endpoints', () => {
    const file = write('aws.json', { 'Docflow-prod': awsStack });
    expect(readOutputs(file)).toEqual({
      apiUrl: 'https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod',
      bucketName: awsStack.BucketName,
      bodiesBucketName: awsStack.BodiesBucketName,
      tableName: awsStack.TableName,
      queueUrl: awsStack.QueueUrl,
      deadLetterQueueUrl: awsStack.DeadLetterQueueUrl,
      region: 'eu-west-1',
      s3Endpoint: undefined,
      dynamodbEndpoint: undefined,
      sqsEndpoint: undefined,
    });
  });

  it('takes the path from E2E_OUTPUTS', () => {
    process.env.E2E_OUTPUTS = write('env.json', { 'Docflow-prod': awsStack });
    expect(readOutputs().bucketName).toBe(awsStack.BucketName);
  });

  it('picks the first stack that has an ApiUrl output', () => {
    const file = write('two.json', { CDKToolkit: { BucketName: 'staging' }, 'Docflow-dev': { ...awsStack, BucketName: 'mine' } });
    expect(readOutputs(file).bucketName).toBe('mine');
  });

  it('reads the embedded stack, endpoints included', () => {
    const file = write('embedded.json', {
      'Docflow-dev': {
        ApiUrl: 'http://localhost:3000/',
        BucketName: 'documents',
        TableName: 'documents',
        DeadLetterQueueUrl: 'local://dead-letter',
        S3Endpoint: 'http://localhost:4569',
        DynamoDbEndpoint: 'http://localhost:4567',
      },
    });
    expect(readOutputs(file)).toMatchObject({
      apiUrl: 'http://localhost:3000',
      s3Endpoint: 'http://localhost:4569',
      dynamodbEndpoint: 'http://localhost:4567',
      bodiesBucketName: undefined,
    });
  });

  it('points a LocalStack deployment at the edge port', () => {
    const file = write('localstack.json', {
      'Docflow-dev': { ...awsStack, ApiUrl: 'https://x9y8z7.execute-api.localhost.localstack.cloud:4566/dev/', Region: 'us-east-1' },
    });
    expect(readOutputs(file)).toMatchObject({
      apiUrl: 'http://x9y8z7.execute-api.localhost.localstack.cloud:4566/dev',
      s3Endpoint: 'http://localhost.localstack.cloud:4566',
      dynamodbEndpoint: 'http://localhost.localstack.cloud:4566',
    });
  });

  it('lets AWS_ENDPOINT_URL_* and AWS_REGION fill in what the file lacks', () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4566';
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:9000';
    process.env.AWS_REGION = 'ap-south-1';
    const { Region: _region, ...withoutRegion } = awsStack;
    const file = write('override.json', { 'Docflow-dev': withoutRegion });
    expect(readOutputs(file)).toMatchObject({
      region: 'ap-south-1',
      s3Endpoint: 'http://127.0.0.1:9000',
      dynamodbEndpoint: 'http://127.0.0.1:4566',
    });
  });

  it.each([
    ['no path', undefined, /E2E_OUTPUTS/],
    ['a missing file', path.join(os.tmpdir(), 'docflow-no-such-file.json'), /Cannot read/],
  ])('explains %s', (_label, file, message) => {
    expect(() => readOutputs(file)).toThrow(message);
  });

  it('explains a file without the stack or without a required output', () => {
    expect(() => readOutputs(write('none.json', { CDKToolkit: {} }))).toThrow(/no stack with an ApiUrl output \(stacks: CDKToolkit\)/);
    const { TableName: _table, ...withoutTable } = awsStack;
    expect(() => readOutputs(write('partial.json', { 'Docflow-dev': withoutTable }))).toThrow(/no TableName output/);
    expect(() => readOutputs(write('broken.json', '{not json'))).toThrow(/Cannot read/);
  });
});

describe('stackEndpoints', () => {
  it('sends every service of a LocalStack deployment to the edge port, SQS included, unless AWS_ENDPOINT_URL_* says otherwise', () => {
    const localstack = { ...awsStack, ApiUrl: 'https://x9y8z7.execute-api.us-east-1.localhost.localstack.cloud/dev' };
    expect(stackEndpoints(localstack, {})).toEqual({
      apiUrl: 'http://x9y8z7.execute-api.localhost.localstack.cloud:4566/dev',
      region: 'eu-west-1',
      s3Endpoint: 'http://localhost.localstack.cloud:4566',
      dynamodbEndpoint: 'http://localhost.localstack.cloud:4566',
      sqsEndpoint: 'http://localhost.localstack.cloud:4566',
      emulator: true,
    });
    expect(stackEndpoints(localstack, { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324' }).sqsEndpoint).toBe('http://127.0.0.1:9324');
  });

  it('leaves AWS on the SDK defaults', () => {
    expect(stackEndpoints(awsStack, {})).toMatchObject({ s3Endpoint: undefined, dynamodbEndpoint: undefined, sqsEndpoint: undefined, emulator: false });
  });

  it.each([
    ['the path form on the edge port', 'http://127.0.0.1:4566/_aws/execute-api/1e362a3e/dev', 'http://127.0.0.1:4566'],
    ['the path form on another port', 'http://127.0.0.1:4599/_aws/execute-api/1e362a3e/dev', 'http://127.0.0.1:4599'],
    ['a loopback host on the edge port', 'http://localhost:4566/restapis/1e362a3e/dev/_user_request_', 'http://localhost:4566'],
  ])('sends every service of a MiniStack deployment (%s) to the URL origin', (_form, ApiUrl, edge) => {
    expect(stackEndpoints({ ...awsStack, ApiUrl }, {})).toEqual({
      apiUrl: ApiUrl,
      region: 'eu-west-1',
      s3Endpoint: edge,
      dynamodbEndpoint: edge,
      sqsEndpoint: edge,
      emulator: true,
    });
  });

  it('treats neither the embedded stack nor another loopback port as an emulator edge', () => {
    const embedded = { ...awsStack, ApiUrl: 'http://localhost:3000', S3Endpoint: 'http://127.0.0.1:4568', DynamoDbEndpoint: 'http://127.0.0.1:4567' };
    expect(stackEndpoints(embedded, {})).toMatchObject({ s3Endpoint: 'http://127.0.0.1:4568', sqsEndpoint: undefined, emulator: false });
    expect(stackEndpoints({ ...awsStack, ApiUrl: 'http://127.0.0.1:8080/dev' }, {})).toMatchObject({ s3Endpoint: undefined, emulator: false });
  });

  it('skips stacks whose ApiUrl or BucketName is empty', () => {
    const file = write('empty.json', { First: { ...awsStack, ApiUrl: ' ' }, Second: { ...awsStack, BucketName: 'second' } });
    expect(readStackOutputs(file).BucketName).toBe('second');
  });
});

describe('normalizeApiUrl', () => {
  it.each([
    ['https://abc.execute-api.us-east-1.amazonaws.com/prod/', 'https://abc.execute-api.us-east-1.amazonaws.com/prod'],
    ['https://abc.execute-api.us-east-1.localhost.localstack.cloud/dev/', 'http://abc.execute-api.localhost.localstack.cloud:4566/dev'],
    ['http://abc.execute-api.localhost.localstack.cloud:4566/dev', 'http://abc.execute-api.localhost.localstack.cloud:4566/dev'],
    ['http://localhost:3000', 'http://localhost:3000'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeApiUrl(input)).toBe(expected);
  });

  it('refuses a value that is not a URL', () => {
    expect(() => normalizeApiUrl('not a url')).toThrow(/not a URL/);
  });
});
