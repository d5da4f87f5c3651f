/**
 * The end-to-end test's view of a deployed target, read from a CDK outputs file by the same
 * reader the CLI uses (`cli/target.ts`): `cdk deploy --outputs-file F` (AWS), `cdklocal deploy
 * --outputs-file F` (LocalStack) and the embedded stack all write
 * `{ "<StackName>": { "ApiUrl": ..., "BucketName": ..., ... } }`.
 */
import { apiAuthOf, readApiKey, type ApiAuth, type AuthOutputs } from '../../cli/api-key.ts';
import { isEmbedded, readStackOutputs, stackEndpoints } from '../../cli/target.ts';

export interface E2eOutputs {
  /** Base URL of the read API, without a trailing slash. */
  apiUrl: string;
  /** The bucket to upload documents to. */
  bucketName: string;
  /** The bucket that holds large bodies. */
  bodiesBucketName?: string;
  tableName: string;
  queueUrl?: string;
  deadLetterQueueUrl: string;
  region?: string;
  /** S3 endpoint for the SDK; absent for AWS, where the SDK's default is right. */
  s3Endpoint?: string;
  /** DynamoDB endpoint for the SDK; absent for AWS. */
  dynamodbEndpoint?: string;
  /** SQS endpoint for the SDK; absent for AWS and the embedded stack (whose queue is in process). */
  sqsEndpoint?: string;
}

/**
 * The outputs and endpoints of the stack in the file (see `stackEndpoints` for LocalStack and
 * the AWS_ENDPOINT_URL_* variables).
 *
 * @example
 * const outputs = readOutputs(); // path from E2E_OUTPUTS, e.g. outputs/localstack.json
 * await fetch(`${outputs.apiUrl}/documents`);
 */
export function readOutputs(path: string | undefined = process.env.E2E_OUTPUTS): E2eOutputs {
  if (path === undefined || path.trim() === '') {
    throw new Error('No outputs file: set E2E_OUTPUTS to the file written by `--outputs-file` (e.g. outputs/aws.json).');
  }
  const outputs = readStackOutputs(path, 'deploy with --outputs-file first');
  const required = (key: 'TableName' | 'DeadLetterQueueUrl'): string => {
    const value = outputs[key];
    if (value === undefined) throw new Error(`${path}: the stack has no ${key} output.`);
    return value;
  };
  const endpoints = stackEndpoints(outputs);
  return {
    apiUrl: endpoints.apiUrl!,
    bucketName: outputs.BucketName!,
    bodiesBucketName: outputs.BodiesBucketName,
    tableName: required('TableName'),
    queueUrl: outputs.QueueUrl,
    deadLetterQueueUrl: required('DeadLetterQueueUrl'),
    region: endpoints.region,
    s3Endpoint: endpoints.s3Endpoint,
    dynamodbEndpoint: endpoints.dynamodbEndpoint,
    sqsEndpoint: endpoints.sqsEndpoint,
  };
}

/** How the end-to-end suite authenticates to the target's read API. */
export interface E2eCredentials {
  /** The target's `ApiAuth` (see cli/api-key.ts). */
  auth: ApiAuth;
  /** The key to send in `x-api-key`, read the way `ingest api-key` reads it; null without one. */
  apiKey: string | null;
  /**
   * True for an emulator (LocalStack, MiniStack, any AWS_ENDPOINT_URL target), which may not
   * enforce what the template asks for; false for AWS and the embedded stack, which must.
   */
  emulated: boolean;
}

/**
 * The read API's credentials for the stack in the outputs file.
 *
 * @example
 * const { apiKey } = await readCredentials();
 * await fetch(`${outputs.apiUrl}/documents`, { headers: apiKey ? { 'x-api-key': apiKey } : {} });
 */
export async function readCredentials(path: string | undefined = process.env.E2E_OUTPUTS): Promise<E2eCredentials> {
  if (path === undefined || path.trim() === '') throw new Error('No outputs file: set E2E_OUTPUTS.');
  const outputs: AuthOutputs = readStackOutputs(path, 'deploy with --outputs-file first');
  const endpoints = stackEndpoints(outputs);
  return {
    auth: apiAuthOf(outputs),
    apiKey: await readApiKey(outputs),
    emulated: !isEmbedded(outputs) && (endpoints.emulator || endpoints.s3Endpoint !== undefined),
  };
}
