// The no-Docker deploy target. MiniStack (PyPI `ministack`) is a LocalStack-compatible AWS
// emulator that runs Lambda functions as host processes. This script installs the pinned
// version (scripts/ministack-requirements.txt) into a virtualenv under .ministack/, starts and
// stops it, deploys the CDK app to it with the same `cdklocal` commands as LocalStack, and runs
// the end-to-end suite against it.
//
//   tsx scripts/ministack.ts start      install if needed, start on 127.0.0.1:4566, wait until it answers
//   tsx scripts/ministack.ts deploy     cdklocal bootstrap + deploy, outputs to outputs/ministack.json
//   tsx scripts/ministack.ts e2e        the end-to-end suite against that deployment
//   tsx scripts/ministack.ts update     deploy a changed template and check the change reached the API
//   tsx scripts/ministack.ts stop       stop it (by the PID in .ministack/ministack.pid)
//
// Where the emulator differs from AWS, a named step below works around it, with the gap in its
// comment. The deployed code never changes for the emulator.
import { GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readApiKey, type AuthOutputs } from '../cli/api-key.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/emulators.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STATE = join(ROOT, '.ministack');
const VENV = join(STATE, 'venv');
/** Everything one run of the emulator writes; wiped at each start. */
const RUN = join(STATE, 'run');
const PID_FILE = join(STATE, 'ministack.pid');
const LOG_FILE = join(STATE, 'ministack.log');
const REQUIREMENTS = join(ROOT, 'scripts', 'ministack-requirements.txt');
const OUTPUTS = join(ROOT, 'outputs', 'ministack.json');
const HOST = '127.0.0.1';
const PORT = 4566;
const EDGE = `http://${HOST}:${PORT}`;
/** The origin the `update` step deploys as the only CORS origin, to see the update arrive. */
const UPDATE_ORIGIN = 'https://update-check.example';

function say(line: string): void {
  process.stdout.write(`ministack: ${line}\n`);
}

class HarnessError extends Error {
  override readonly name = 'HarnessError';
}

/** Runs a command with inherited output; throws when it fails. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit' });
  if (result.error) throw new HarnessError(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new HarnessError(`${[command, ...args].join(' ')} exited with ${result.status ?? result.signal}`);
}

function bin(name: string): string {
  return join(ROOT, 'node_modules', '.bin', name);
}

/** The PID of the emulator this script started, if it is still running. */
function runningPid(): number | undefined {
  if (!existsSync(PID_FILE)) return undefined;
  const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Creates .ministack/venv with the pinned requirements, unless it already holds exactly those. */
function install(): void {
  const wanted = readFileSync(REQUIREMENTS, 'utf8');
  const stamp = join(VENV, 'docflow-requirements.txt');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  say(`installing ${wanted.match(/^ministack==\S+/m)?.[0] ?? 'ministack'} into ${VENV}`);
  rmSync(VENV, { recursive: true, force: true });
  run(process.env.PYTHON ?? 'python3', ['-m', 'venv', VENV]);
  run(join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', REQUIREMENTS]);
  writeFileSync(stamp, wanted);
}

async function start(): Promise<void> {
  const already = runningPid();
  if (already !== undefined) throw new HarnessError(`already running (PID ${already}); stop it with \`npm run ministack:stop\``);
  install();
  rmSync(RUN, { recursive: true, force: true });
  mkdirSync(join(RUN, 'tmp'), { recursive: true });
  mkdirSync(join(RUN, 's3'), { recursive: true });
  // Workaround, Lambda worker module type: MiniStack writes its Lambda worker, a CommonJS script,
  // under TMPDIR. Inside this repository the nearest package.json says "type": "module", so Node
  // would load the worker as ESM and it would exit at once. The state folder gets its own.
  writeFileSync(join(STATE, 'package.json'), '{ "type": "commonjs" }\n');
  // Workaround, inherited environment: MiniStack hands its whole environment to every Lambda
  // worker and has no setting against it, so it starts from this short list instead of ours.
  // The workers run on the Node found first on this PATH: MINISTACK_LAMBDA_NODE, or this one.
  const lambdaNode = process.env.MINISTACK_LAMBDA_NODE ?? process.execPath;
  const env: NodeJS.ProcessEnv = {
    PATH: [dirname(lambdaNode), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: RUN,
    LANG: 'C.UTF-8',
    TMPDIR: join(RUN, 'tmp'),
    // Its defaults bind every interface and open more listeners (IoT MQTT on 8883 when the
    // cryptography package is present, SFTP for Transfer Family): loopback, and only 4566.
    BIND_HOST: HOST,
    GATEWAY_PORT: String(PORT),
    IOT_MTLS_ENABLED: '0',
    SFTP_ENABLED: '0',
    // Queue URLs name this host instead of `localhost`, which may resolve to ::1 first.
    MINISTACK_HOST: HOST,
    S3_DATA_DIR: join(RUN, 's3'),
    LOG_LEVEL: 'INFO',
  };
  const log = openSync(LOG_FILE, 'w');
  // Its own process group, so that stopping it by PID also stops the Lambda workers it spawned.
  const child = spawn(join(VENV, 'bin', 'ministack'), [], { cwd: RUN, env, detached: true, stdio: ['ignore', log, log] });
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  writeFileSync(PID_FILE, `${child.pid}\n`);
  child.unref();
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new HarnessError(`MiniStack ${exited} before answering; see ${LOG_FILE}:\n${readFileSync(LOG_FILE, 'utf8').slice(-2_000)}`);
    const ready = await fetch(`${EDGE}/_localstack/health`).then((response) => response.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new HarnessError(`MiniStack did not answer on ${EDGE} within 60 s; see ${LOG_FILE}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const version = spawnSync(join(VENV, 'bin', 'pip'), ['show', 'ministack'], { encoding: 'utf8' }).stdout.match(/^Version: (\S+)/m)?.[1];
  const node = spawnSync(lambdaNode, ['--version'], { encoding: 'utf8' }).stdout.trim();
  say(`MiniStack ${version ?? '?'} ready on ${EDGE} (PID ${child.pid}; Lambda workers on Node ${node}; log ${LOG_FILE})`);
}

async function stop(): Promise<void> {
  const pid = runningPid();
  if (pid === undefined) {
    rmSync(PID_FILE, { force: true });
    say('not running');
    return;
  }
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  signalGroup('SIGTERM');
  const deadline = Date.now() + 15_000;
  while (runningPid() !== undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (runningPid() !== undefined) signalGroup('SIGKILL');
  rmSync(PID_FILE, { force: true });
  say(`stopped (PID ${pid})`);
}

/** `cdklocal` with the emulator's endpoint set for that command only, never exported. */
function cdklocal(args: readonly string[]): void {
  run(bin('cdklocal'), args, { ...process.env, AWS_ENDPOINT_URL: EDGE, AWS_ENDPOINT_URL_S3: EDGE });
}

interface Deployed {
  stack: string;
  outputs: Record<string, string>;
}

function readDeployed(): Deployed {
  const file = JSON.parse(readFileSync(OUTPUTS, 'utf8')) as Record<string, Record<string, string>>;
  const found = Object.entries(file).find(([, outputs]) => typeof outputs.ApiUrl === 'string');
  if (found === undefined) throw new HarnessError(`${OUTPUTS} has no stack with an ApiUrl output`);
  return { stack: found[0], outputs: found[1] };
}

function sqsClient(): SQSClient {
  return new SQSClient({ endpoint: EDGE, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/**
 * Workaround, ApiUrl output: the output is built from `AWS::URLSuffix`, and MiniStack leaves it
 * on the AWS domain (`https://<id>.execute-api.<region>.amazonaws.com/<stage>`), where nothing
 * answers. MiniStack serves the API on its own port, in the path form LocalStack also accepts.
 */
function rewriteApiUrl(): void {
  const file = JSON.parse(readFileSync(OUTPUTS, 'utf8')) as Record<string, Record<string, string>>;
  const { stack, outputs } = readDeployed();
  const match = outputs.ApiUrl!.match(/^https?:\/\/([^./]+)\.execute-api\.[^/]+\/([^/]+)\/?$/);
  if (match === null) {
    say(`ApiUrl ${outputs.ApiUrl} is not on the AWS domain: left as it is`);
    return;
  }
  const local = `${EDGE}/_aws/execute-api/${match[1]}/${match[2]}`;
  file[stack] = { ...outputs, ApiUrl: local };
  writeFileSync(OUTPUTS, `${JSON.stringify(file, null, 2)}\n`);
  say(`ApiUrl rewritten: ${outputs.ApiUrl} -> ${local}`);
}

/**
 * Workaround, RedrivePolicy: earlier MiniStack releases dropped the queue's RedrivePolicy at
 * deploy, so no message ever reached the dead-letter queue. The pinned release keeps it; if a
 * deployment comes up without one, this sets the template's.
 */
async function ensureRedrivePolicy(): Promise<void> {
  const { stack, outputs } = readDeployed();
  const sqs = sqsClient();
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.QueueUrl, AttributeNames: ['RedrivePolicy'] }));
  if (Attributes?.RedrivePolicy) {
    say(`queue RedrivePolicy deployed: ${Attributes.RedrivePolicy}`);
    return;
  }
  const template = JSON.parse(readFileSync(join(ROOT, 'cdk.out', `${stack}.template.json`), 'utf8')) as { Resources: Record<string, { Type: string; Properties?: { RedrivePolicy?: { maxReceiveCount?: number } } }> };
  const maxReceiveCount = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::SQS::Queue' && resource.Properties?.RedrivePolicy)?.Properties?.RedrivePolicy?.maxReceiveCount;
  if (maxReceiveCount === undefined) throw new HarnessError('the template has no queue with a RedrivePolicy');
  const dlq = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: outputs.DeadLetterQueueUrl, AttributeNames: ['QueueArn'] }));
  const policy = JSON.stringify({ deadLetterTargetArn: dlq.Attributes?.QueueArn, maxReceiveCount });
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: outputs.QueueUrl, Attributes: { RedrivePolicy: policy } }));
  say(`queue RedrivePolicy was dropped at deploy; set it after deploy: ${policy}`);
}

async function deploy(extra: readonly string[] = []): Promise<void> {
  if (runningPid() === undefined) throw new HarnessError('MiniStack is not running: `npm run ministack:start` first');
  cdklocal(['bootstrap']);
  cdklocal(['deploy', '--require-approval', 'never', '--outputs-file', OUTPUTS, ...extra]);
  rewriteApiUrl();
  await ensureRedrivePolicy();
}

/** Deploys a changed template (another CORS origin) and checks that the running API serves it. */
async function update(): Promise<void> {
  if (runningPid() === undefined) throw new HarnessError('MiniStack is not running: `npm run ministack:start` first');
  cdklocal(['deploy', '--require-approval', 'never', '--outputs-file', OUTPUTS, '-c', `corsOrigins=${UPDATE_ORIGIN}`]);
  rewriteApiUrl();
  const { outputs } = readDeployed();
  // Every deployed method takes the stack's API key by default (apiAuth=apiKey): send it, as a client would.
  const apiKey = await readApiKey(outputs as unknown as AuthOutputs);
  const headers: Record<string, string> = { Origin: UPDATE_ORIGIN, ...(apiKey ? { 'x-api-key': apiKey } : {}) };
  const response = await fetch(`${outputs.ApiUrl}/health`, { headers });
  const allowed = response.headers.get('access-control-allow-origin');
  if (response.status !== 200 || allowed !== UPDATE_ORIGIN) {
    const body = (await response.text()).slice(0, 300);
    throw new HarnessError(`after the update /health answered ${response.status} (${body}) with Access-Control-Allow-Origin ${allowed ?? 'absent'}, not ${UPDATE_ORIGIN}`);
  }
  say(`update deployed: /health now allows only ${allowed}`);
}

function e2e(): void {
  run(bin('vitest'), ['run', '--project', 'e2e'], { ...process.env, E2E_OUTPUTS: OUTPUTS });
}

const commands: Record<string, (args: readonly string[]) => void | Promise<void>> = { start, stop, deploy, update, e2e };
const [name, ...rest] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (command === undefined) {
  process.stderr.write(`usage: tsx scripts/ministack.ts ${Object.keys(commands).join('|')} [cdk options for deploy]\n`);
  process.exitCode = 2;
} else {
  try {
    await command(rest);
  } catch (error) {
    if (!(error instanceof HarnessError)) throw error;
    process.stderr.write(`ministack: ${error.message}\n`);
    process.exitCode = 1;
  }
}
