// Lints the CloudFormation templates of the dev and prod stages with cfn-lint (PyPI, pinned in
// scripts/cfn-lint-requirements.txt, installed into .cfn-lint/venv). Rules and the reason for
// each ignored one are in .cfnlintrc. Offline: no credentials, no account.
//
//   tsx scripts/lint-templates.ts       (npm run lint:cfn)
//
// The templates are synthesized without bundling the handlers: bundling changes only the asset
// hashes in each function's Code, which no rule reads, and takes most of a synthesis.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../infra/create-app.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VENV = join(ROOT, '.cfn-lint', 'venv');
const REQUIREMENTS = join(ROOT, 'scripts', 'cfn-lint-requirements.txt');
const OUT = join(ROOT, 'cdk.out', 'lint');
const STAGES = ['dev', 'prod'] as const;

function run(command: string, args: readonly string[]): number {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function install(): void {
  const wanted = readFileSync(REQUIREMENTS, 'utf8');
  const stamp = join(VENV, 'docflow-requirements.txt');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  process.stdout.write(`lint:cfn: installing ${wanted.match(/^cfn-lint==\S+/m)?.[0] ?? 'cfn-lint'} into ${relative(ROOT, VENV)}\n`);
  rmSync(VENV, { recursive: true, force: true });
  const steps: [string, string[]][] = [
    [process.env.PYTHON ?? 'python3', ['-m', 'venv', VENV]],
    [join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', REQUIREMENTS]],
  ];
  for (const [command, args] of steps) {
    if (run(command, args) !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
  }
  writeFileSync(stamp, wanted);
}

install();
rmSync(OUT, { recursive: true, force: true });
const templates = STAGES.map((stage) => {
  const outdir = join(OUT, stage);
  const { app, stack } = createApp({ context: { stage, 'aws:cdk:bundling-stacks': [] }, outdir });
  app.synth();
  return relative(ROOT, join(outdir, stack.templateFile));
});
process.stdout.write(`lint:cfn: ${templates.join(', ')}\n`);
const status = run(join(VENV, 'bin', 'cfn-lint'), ['--', ...templates]);
process.stdout.write(status === 0 ? 'lint:cfn: no errors, no warnings\n' : `lint:cfn: cfn-lint exited with ${status}\n`);
process.exitCode = status;
