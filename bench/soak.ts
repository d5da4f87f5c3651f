// The soak run: `npm run soak`. 5,000 uploads through the embedded stack with injected faults
// (transient S3/DynamoDB errors inside the parser's SDK clients, duplicate and shuffled
// deliveries, re-uploads and deletes, the parser process SIGKILLed mid-batch, an outage that
// dead-letters a few objects until a redrive), then a check that the table matches the bucket.
// Prints the figures; exits 1 on any mismatch. At most 5 minutes.
//
// Environment: SOAK_UPLOADS (5000), SOAK_FAULT_RATE (0.05), SOAK_DUPLICATE_RATE (0.10),
// SOAK_KILLS (3), SOAK_SEED (random), SOAK_CONCURRENCY (16), SOAK_TIME_LIMIT_S (290).
import { formatReport, runSoak } from '../local/soak.ts';

// Node 20 is supported here until 2027; the SDK's notice would only clutter the figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const number = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}".`);
  return value;
};

const abort = new AbortController();
const seed = number('SOAK_SEED', Math.floor(Math.random() * 2 ** 31));
const options = {
  uploads: number('SOAK_UPLOADS', 5_000),
  faultRate: number('SOAK_FAULT_RATE', 0.05),
  duplicateRate: number('SOAK_DUPLICATE_RATE', 0.1),
  kills: number('SOAK_KILLS', 3),
  concurrency: number('SOAK_CONCURRENCY', 16),
  timeLimitMs: number('SOAK_TIME_LIMIT_S', 290) * 1000,
  visibilityTimeoutMs: 1_500,
  maxReceiveCount: 10,
  seed,
  log: (line: string) => console.log(line),
  signal: abort.signal,
};

console.log(`soak: node ${process.version}, seed ${seed} (SOAK_SEED=${seed} repeats the plan)`);
// Ctrl-C: runSoak's finally stops the stack and the parser process; a second Ctrl-C forces it.
let interrupted = false;
const onSignal = (): void => {
  if (interrupted) process.exit(130);
  interrupted = true;
  console.error('soak: interrupted; stopping (Ctrl-C again to force)');
  process.exitCode = 130;
  abort.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// A hard stop a little after the time limit, whatever happens: the run never exceeds 5 minutes.
const watchdog = setTimeout(() => {
  console.error('soak: still running past the time limit; giving up');
  process.exit(2);
}, options.timeLimitMs + 8_000);
watchdog.unref();

try {
  const report = await runSoak(options);
  console.log(formatReport(report));
  if (!report.ok && !interrupted) process.exitCode = 1;
} catch (error) {
  console.error('soak: failed:', error);
  process.exitCode = 1;
}
clearTimeout(watchdog);
// Anything still open (sockets winding down) must not keep the process alive.
setTimeout(() => process.exit(), 200).unref();
