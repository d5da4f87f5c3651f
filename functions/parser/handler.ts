// The parser function's entry point: configuration and clients once per cold start, then the
// handler built by createParser (parser.ts), which is where the behaviour lives.
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { createS3BodyStore } from '../../shared/bodies.ts';
import { loadParserConfig } from '../../shared/config.ts';
import { createDynamoStore } from '../../shared/store/index.ts';
import { createParser } from './parser.ts';

const config = loadParserConfig();
const logger = new Logger({ serviceName: 'parser' });
const s3 = new S3Client({ forcePathStyle: config.s3ForcePathStyle });
const store = createDynamoStore({
  client: new DynamoDBClient({}),
  tableName: config.tableName,
  bodies: createS3BodyStore({ s3, bucket: config.bodiesBucket }),
  inlineBodyLimitBytes: config.inlineBodyLimitBytes,
  logger,
});

export const handler = createParser({ s3, store, logger, config });
