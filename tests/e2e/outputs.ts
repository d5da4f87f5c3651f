/**
 * Reads the endpoints of a deployed target from a CDK outputs file.
 *
 * `cdk deploy --outputs-file F` (AWS), `cdklocal deploy --outputs-file F` (LocalStack) and
 * the embedded stack all write `{ "<StackName>": { "ApiUrl": ..., "BucketName": ..., ... } }`;
 * the embedded stack adds `S3Endpoint` and `DynamoDbEndpoint`.
 */
import { readFileSync } from 'node:fs';

export interface E2eOutputs {
  /** Base URL of the read API, without a trailing slash. */
  apiUrl: string;
  /** The bucket to upload documents to. */
  bucketName: string;
  /** The bucket that holds large bodies. */
  bodiesBucketName?: string;
  tableName: string;
  deadLetterQueueUrl: string;
  region?: string;
  /** S3 endpoint for the SDK; absent for AWS, where the SDK's default is right. */
  s3Endpoint?: string;
  /** DynamoDB endpoint for the SDK; absent for AWS. */
  dynamodbEndpoint?: string;
}

/** LocalStack's edge port and the host its wildcard DNS name resolves to 127.0.0.1 under. */
const LOCALSTACK_HOST = 'localhost.localstack.cloud';
const LOCALSTACK_PORT = '4566';

/**
 * The outputs of the first stack in the file whose outputs include `ApiUrl`.
 *
 * For LocalStack the API URL is rewritten to the form LocalStack serves
 * (`http://<api-id>.execute-api.localhost.localstack.cloud:4566/<stage>`), and the S3 and
 * DynamoDB endpoints default to its edge port. `AWS_ENDPOINT_URL_S3`,
 * `AWS_ENDPOINT_URL_DYNAMODB` or `AWS_ENDPOINT_URL` override the endpoints, and `AWS_REGION`
 * supplies the region when the file has none.
 *
 * @example
 * const outputs = readOutputs(); // path from E2E_OUTPUTS, e.g. outputs/localstack.json
 * await fetch(`${outputs.apiUrl}/documents`);
 */
export function readOutputs(path: string | undefined = process.env.E2E_OUTPUTS): E2eOutputs {
  if (path === undefined || path.trim() === '') {
    throw new Error('No outputs file: set E2E_OUTPUTS to the file written by `--outputs-file` (e.g. outputs/aws.json).');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the outputs file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${path} is not a JSON object of stacks.`);

  const stacks = Object.entries(parsed as Record<string, unknown>);
  const found = stacks.find(([, outputs]) => typeof outputs === 'object' && outputs !== null && 'ApiUrl' in outputs);
  if (found === undefined) {
    const names = stacks.map(([name]) => name).join(', ') || 'none';
    throw new Error(`${path} has no stack with an ApiUrl output (stacks: ${names}). Was the deploy run with --outputs-file?`);
  }
  const [stackName, raw] = found as [string, Record<string, unknown>];

  const required = (key: string): string => {
    const value = raw[key];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new Error(`${path}: stack ${stackName} has no ${key} output.`);
    }
    return value.trim();
  };
  const optional = (key: string): string | undefined => {
    const value = raw[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const env = (name: string): string | undefined => {
    const value = process.env[name];
    return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
  };

  const apiUrl = normalizeApiUrl(required('ApiUrl'));
  const localstack = new URL(apiUrl).hostname.endsWith(LOCALSTACK_HOST);
  const localstackEdge = localstack ? `http://${LOCALSTACK_HOST}:${LOCALSTACK_PORT}` : undefined;
  const sharedEndpoint = env('AWS_ENDPOINT_URL');

  return {
    apiUrl,
    bucketName: required('BucketName'),
    bodiesBucketName: optional('BodiesBucketName'),
    tableName: required('TableName'),
    deadLetterQueueUrl: required('DeadLetterQueueUrl'),
    region: optional('Region') ?? env('AWS_REGION') ?? env('AWS_DEFAULT_REGION'),
    s3Endpoint: optional('S3Endpoint') ?? env('AWS_ENDPOINT_URL_S3') ?? sharedEndpoint ?? localstackEdge,
    dynamodbEndpoint: optional('DynamoDbEndpoint') ?? env('AWS_ENDPOINT_URL_DYNAMODB') ?? sharedEndpoint ?? localstackEdge,
  };
}

/**
 * Drops trailing slashes; for a LocalStack execute-api host, removes the region label and
 * sets the scheme and port LocalStack serves on, whichever way the URL was written
 * (`https://<id>.execute-api.us-east-1.localhost.localstack.cloud/dev` or already local).
 *
 * @example
 * normalizeApiUrl('https://abc.execute-api.us-east-1.localhost.localstack.cloud/dev/')
 * // 'http://abc.execute-api.localhost.localstack.cloud:4566/dev'
 */
export function normalizeApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`ApiUrl "${value}" is not a URL.`);
  }
  const local = url.hostname.match(/^([^.]+)\.execute-api\.(?:[^.]+\.)?localhost\.localstack\.cloud$/);
  if (local !== null) {
    url.hostname = `${local[1]}.execute-api.${LOCALSTACK_HOST}`;
    url.protocol = 'http:';
    url.port = url.port === '' || url.port === '443' ? LOCALSTACK_PORT : url.port;
  }
  return url.toString().replace(/\/+$/, '');
}
