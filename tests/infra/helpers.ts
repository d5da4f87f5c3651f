// Shared helpers for the infra suites: synthesize a stage once, and small template queries.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../infra/create-app.ts';
import type { DocflowStack } from '../../infra/stack.ts';

export interface Synthesized {
  app: App;
  stack: DocflowStack;
  template: Template;
  /** The cloud assembly directory (bundles, templates, validation report). */
  outdir: string;
  /** Removes the assembly directory. */
  cleanup(): void;
}

/**
 * Builds the real app for `stage` and synthesizes it, bundling the handlers with the local
 * esbuild. cdk-nag runs as part of the synthesis: an unacknowledged finding throws here,
 * with the report in the message.
 */
export function synthStage(stage: string, context: Record<string, unknown> = {}): Synthesized {
  const outdir = mkdtempSync(path.join(os.tmpdir(), `docflow-infra-${stage}-`));
  const { app, stack } = createApp({ context: { stage, ...context }, outdir });
  const template = Template.fromStack(stack);
  return { app, stack, template, outdir, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** Context that turns asset bundling off, for tests that only check construct wiring. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export type Resource = { Type: string; Properties?: Record<string, any>; DependsOn?: string | string[]; DeletionPolicy?: string };
export type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: Record<string, any>; Sid?: string };

/** The one resource of `type` matching `props`, with its logical id. */
export function onlyResource(template: Template, type: string, props: object = {}): { id: string; resource: Resource } {
  const found = Object.entries(template.findResources(type, props));
  if (found.length !== 1) throw new Error(`expected one ${type} matching ${JSON.stringify(props)}, found ${found.length}`);
  const [id, resource] = found[0]!;
  return { id, resource: resource as Resource };
}

/** Logical id of the function whose POWERTOOLS_SERVICE_NAME is `service`. */
export function functionOf(template: Template, service: 'parser' | 'api'): { id: string; resource: Resource } {
  return onlyResource(template, 'AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: service } } },
  });
}

/** Every statement of every AWS::IAM::Policy attached to the function's role. */
export function roleStatements(template: Template, service: 'parser' | 'api'): Statement[] {
  const fn = functionOf(template, service).resource;
  const roleId: string = fn.Properties!.Role['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  return policies
    .filter((p) => JSON.stringify(p.Properties!.Roles).includes(`"${roleId}"`))
    .flatMap((p) => p.Properties!.PolicyDocument.Statement as Statement[]);
}

/** Actions of a statement as an array. */
export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Whether a statement's resources mention the given logical id. */
export function mentions(statement: Statement, logicalId: string): boolean {
  return JSON.stringify(statement.Resource ?? null).includes(`"${logicalId}"`);
}

/** The deployed bundle of a function, read from the cloud assembly. */
export function bundleOf(synth: Synthesized, service: 'parser' | 'api'): { file: string; content: Buffer } {
  const key: string = functionOf(synth.template, service).resource.Properties!.Code.S3Key;
  const file = path.join(synth.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
  return { file, content: readFileSync(file) };
}
