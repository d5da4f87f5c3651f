// CDK entry point (cdk.json: `npx tsx infra/app.ts`). Stage from `-c stage=NAME` (default dev).
import { createApp } from './create-app.ts';

createApp().app.synth();
