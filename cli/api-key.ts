// `ingest api-key`: the read API's key, wherever the stack runs. Deployed, the key's value lives
// only in API Gateway (the outputs name its id); the embedded stack's process holds its own.
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { LOCAL_CREDENTIALS } from '../local/emulators.ts';
import { CliError, control, embeddedOutputsPath, isEmbedded, readStackOutputs, stackEndpoints, type StackOutputs } from './target.ts';

/** What a stack asks readers for (the `ApiAuth` output; `-c apiAuth=...` at deploy). */
export type ApiAuth = 'apiKey' | 'iam' | 'none';

/** The outputs that say how the read API authenticates. */
export interface AuthOutputs extends StackOutputs {
  ApiAuth?: string;
  ApiKeyId?: string;
  ReaderPolicyArn?: string;
}

/**
 * The auth mode of a stack. Stacks deployed before the mode had an output name none: they
 * have a key exactly when they output its id.
 */
export function apiAuthOf(outputs: AuthOutputs): ApiAuth {
  const mode = outputs.ApiAuth ?? (outputs.ApiKeyId !== undefined ? 'apiKey' : 'none');
  if (mode !== 'apiKey' && mode !== 'iam' && mode !== 'none') throw new CliError(`The outputs name an unknown ApiAuth "${mode}".`);
  return mode;
}

/**
 * The read API's key, or null when the stack asks for none. Deployed: `apigateway:GET` on the
 * key, with the usual AWS credentials (LocalStack's test ones by default); embedded: asked of
 * the running stack's control endpoint.
 *
 * @example
 * const key = await readApiKey(readStackOutputs('outputs/aws.json'));
 * await fetch(`${apiUrl}/documents`, { headers: key === null ? {} : { 'x-api-key': key } });
 */
export async function readApiKey(outputs: AuthOutputs, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (apiAuthOf(outputs) !== 'apiKey') return null;
  if (isEmbedded(outputs)) return (await control<{ apiKey: string | null }>(outputs, 'GET', '/api-key')).apiKey;
  const keyId = outputs.ApiKeyId;
  if (keyId === undefined) throw new CliError('The outputs file has no ApiKeyId output: redeploy with --outputs-file to record it.');
  const endpoints = stackEndpoints(outputs, env);
  // The SDK reads AWS_ENDPOINT_URL(_API_GATEWAY) itself; the emulator's edge is the default there.
  const emulatorEdge = endpoints.emulator ? stackEndpoints({ ApiUrl: outputs.ApiUrl }, {}).sqsEndpoint : undefined;
  const client = new APIGatewayClient({
    ...(endpoints.region !== undefined ? { region: endpoints.region } : {}),
    ...(emulatorEdge !== undefined && env.AWS_ENDPOINT_URL === undefined && env.AWS_ENDPOINT_URL_API_GATEWAY === undefined ? { endpoint: emulatorEdge } : {}),
    ...(endpoints.emulator && env.AWS_ACCESS_KEY_ID === undefined ? { credentials: LOCAL_CREDENTIALS } : {}),
  });
  try {
    const { value } = await client.send(new GetApiKeyCommand({ apiKey: keyId, includeValue: true }));
    if (value === undefined || value === '') throw new CliError(`API Gateway returned no value for the key ${keyId}.`);
    return value;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`Could not read the API key ${keyId} (${name}: ${message}). It needs apigateway:GET on the key, with the deployer's credentials.`);
  } finally {
    client.destroy();
  }
}

/** `ingest api-key`: prints the key alone on stdout, so that `$(npx ingest api-key)` works. */
export async function apiKeyCommand(options: { outputs?: string; dataDir?: string }): Promise<number> {
  const outputs: AuthOutputs = options.outputs
    ? readStackOutputs(options.outputs, 'deploy first (`npm run deploy` writes outputs/aws.json)')
    : readStackOutputs(embeddedOutputsPath(options.dataDir));
  const key = await readApiKey(outputs);
  if (key === null) {
    const mode = apiAuthOf(outputs);
    throw new CliError(
      mode === 'iam'
        ? 'This stack asks for SigV4-signed requests (apiAuth=iam), not an API key: attach the ReaderPolicyArn policy to the caller.'
        : isEmbedded(outputs)
          ? 'The embedded stack runs without an API key: start it with --api-key KEY (or API_KEY=KEY) to require one.'
          : 'This stack asks for no credentials (apiAuth=none).',
    );
  }
  process.stdout.write(`${key}\n`);
  return 0;
}
