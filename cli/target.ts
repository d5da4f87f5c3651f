// Where a command acts: the embedded stack, a local emulator (LocalStack, MiniStack) or AWS, found through the outputs file
// each writes (CDK `--outputs-file` shape). The CLI and the end-to-end tests both read it here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The outputs a deployed or embedded stack writes (CDK `--outputs-file` shape, one stack). */
export interface StackOutputs {
  ApiUrl?: string;
  BucketName?: string;
  BodiesBucketName?: string;
  TableName?: string;
  QueueUrl?: string;
  DeadLetterQueueUrl?: string;
  Region?: string;
  /** Only the embedded stack has these. */
  S3Endpoint?: string;
  DynamoDbEndpoint?: string;
  ControlUrl?: string;
}

export class CliError extends Error {
  override readonly name = 'CliError';
}

/** The default outputs file of the embedded stack. */
export function embeddedOutputsPath(dataDir = '.ingest'): string {
  return join(dataDir, 'outputs.json');
}

/** LocalStack's edge port and the host its wildcard DNS name resolves to 127.0.0.1 under. */
const LOCALSTACK_HOST = 'localhost.localstack.cloud';
const LOCALSTACK_PORT = '4566';
/** The path form of an API Gateway URL that LocalStack and MiniStack serve on their edge port. */
const EXECUTE_API_PATH = '/_aws/execute-api/';

/**
 * Reads our stack's outputs from an outputs file: the first stack with both an `ApiUrl` and a
 * `BucketName` output (`cdk deploy --all --outputs-file` also lists CDKToolkit, whose staging
 * bucket is not ours). String values are trimmed; empty ones count as absent.
 *
 * @example
 * const outputs = readStackOutputs('outputs/aws.json');
 */
export function readStackOutputs(path: string, hint = 'start the embedded stack with `npm start`'): StackOutputs {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read the outputs file ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): ${hint}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`Cannot read the outputs file ${path}: it is not valid JSON.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(`The outputs file ${path} is not a JSON object of stacks.`);
  }
  const stacks = Object.entries(parsed as Record<string, unknown>);
  const named = (outputs: object, name: string): boolean => {
    const value = (outputs as Record<string, unknown>)[name];
    return typeof value === 'string' && value.trim() !== '';
  };
  const found = stacks.find(([, outputs]) => outputs !== null && typeof outputs === 'object' && named(outputs, 'ApiUrl') && named(outputs, 'BucketName'));
  if (found === undefined) {
    const names = stacks.map(([name]) => name).join(', ') || 'none';
    throw new CliError(`The outputs file ${path} has no stack with an ApiUrl output (stacks: ${names}). Was the deploy run with --outputs-file?`);
  }
  const outputs: Record<string, string> = {};
  for (const [name, value] of Object.entries(found[1] as Record<string, unknown>)) {
    if (typeof value === 'string' && value.trim() !== '') outputs[name] = value.trim();
  }
  return outputs;
}

/** Where a stack's services answer: absent endpoints mean the AWS SDK's defaults. */
export interface StackEndpoints {
  /** Base URL of the read API, without a trailing slash. */
  apiUrl: string | undefined;
  region: string | undefined;
  s3Endpoint: string | undefined;
  dynamodbEndpoint: string | undefined;
  sqsEndpoint: string | undefined;
  /** True when the stack is deployed to a local emulator (LocalStack, MiniStack). */
  emulator: boolean;
}

/**
 * The edge endpoint of the local emulator that serves an API URL, if it is one: LocalStack's
 * host names, the `/_aws/execute-api/<id>/<stage>` path form, or a loopback host on the edge
 * port (`http://127.0.0.1:4566`).
 */
function emulatorEdge(apiUrl: string): string | undefined {
  const url = new URL(apiUrl);
  if (url.hostname.endsWith(LOCALSTACK_HOST)) return `http://${LOCALSTACK_HOST}:${LOCALSTACK_PORT}`;
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.pathname.startsWith(EXECUTE_API_PATH) || (loopback && url.port === LOCALSTACK_PORT)) return url.origin;
  return undefined;
}

/**
 * The endpoints to reach a stack at. The embedded stack names its own S3 and DynamoDB
 * endpoints. For a local emulator (recognised by its API URL, see `emulatorEdge`) a LocalStack
 * host name is rewritten to the form LocalStack serves, and the services default to the
 * emulator's edge. `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SQS`
 * or `AWS_ENDPOINT_URL` fill in what the file does not say, and `AWS_REGION` (or
 * `AWS_DEFAULT_REGION`) the region.
 *
 * @example
 * const { s3Endpoint, region } = stackEndpoints(readStackOutputs('outputs/ministack.json'));
 */
export function stackEndpoints(outputs: StackOutputs, env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  const fromEnv = (name: string): string | undefined => {
    const value = env[name];
    return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
  };
  const apiUrl = outputs.ApiUrl === undefined ? undefined : normalizeApiUrl(outputs.ApiUrl);
  // The embedded stack names its own endpoints and is no emulator of AWS's edge.
  const edge = apiUrl === undefined || outputs.S3Endpoint !== undefined ? undefined : emulatorEdge(apiUrl);
  const fallback = fromEnv('AWS_ENDPOINT_URL') ?? edge;
  return {
    apiUrl,
    region: outputs.Region ?? fromEnv('AWS_REGION') ?? fromEnv('AWS_DEFAULT_REGION'),
    s3Endpoint: outputs.S3Endpoint ?? fromEnv('AWS_ENDPOINT_URL_S3') ?? fallback,
    dynamodbEndpoint: outputs.DynamoDbEndpoint ?? fromEnv('AWS_ENDPOINT_URL_DYNAMODB') ?? fallback,
    sqsEndpoint: fromEnv('AWS_ENDPOINT_URL_SQS') ?? fallback,
    emulator: edge !== undefined,
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
    throw new CliError(`ApiUrl "${value}" is not a URL.`);
  }
  const local = url.hostname.match(/^([^.]+)\.execute-api\.(?:[^.]+\.)?localhost\.localstack\.cloud$/);
  if (local !== null) {
    url.hostname = `${local[1]}.execute-api.${LOCALSTACK_HOST}`;
    url.protocol = 'http:';
    url.port = url.port === '' || url.port === '443' ? LOCALSTACK_PORT : url.port;
  }
  return url.toString().replace(/\/+$/, '');
}

/** True for the embedded stack's outputs (it has a control endpoint). */
export function isEmbedded(outputs: StackOutputs): outputs is StackOutputs & { ControlUrl: string } {
  return typeof outputs.ControlUrl === 'string';
}

/** Calls the embedded stack's control endpoint. */
export async function control<T>(outputs: StackOutputs & { ControlUrl: string }, method: 'GET' | 'POST', path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(outputs.ControlUrl + path, { method });
  } catch {
    throw new CliError(`The embedded stack does not answer at ${outputs.ControlUrl}: is \`npm start\` running?`);
  }
  if (!response.ok) throw new CliError(`The embedded stack answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}
