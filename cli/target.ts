// Where a CLI command acts: the embedded stack (found through its outputs file) or AWS.
import { readFile } from 'node:fs/promises';
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

/**
 * Reads the first stack's outputs from an outputs file.
 *
 * @example
 * const outputs = await readStackOutputs('outputs/aws.json');
 */
export async function readStackOutputs(path: string, hint = 'start the embedded stack with `npm start`'): Promise<StackOutputs> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CliError(`No outputs file at ${path}: ${hint}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`The outputs file ${path} is not valid JSON.`);
  }
  const stacks = parsed !== null && typeof parsed === 'object' ? Object.values(parsed as Record<string, unknown>) : [];
  const stack = stacks.find((value): value is StackOutputs => value !== null && typeof value === 'object' && 'BucketName' in value);
  if (!stack) throw new CliError(`The outputs file ${path} holds no stack with a BucketName output.`);
  return stack;
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
