// The api function's entry point: configuration and clients once per cold start, then the app
// built by createApp (app.ts), which is where the behaviour lives.
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { handle } from 'hono/aws-lambda';
import { createS3BodyStore } from '../../shared/bodies.ts';
import { createDynamoStore } from '../../shared/store/index.ts';
import { createApp } from './app.ts';
import { loadApiConfig } from './config.ts';

const config = loadApiConfig();
const logger = new Logger({ serviceName: 'api', logLevel: config.logLevel });
const store = createDynamoStore({
  client: new DynamoDBClient({}),
  tableName: config.tableName,
  bodies: createS3BodyStore({ s3: new S3Client({ forcePathStyle: config.s3ForcePathStyle }), bucket: config.bodiesBucket }),
  logger,
});

export const handler = handle(createApp({ reader: store, config, logger }));
