// The AWS schemes of apply sources: S3 GetObject, Secrets Manager GetSecretValue and SSM
// GetParameter (with decryption), each with the SDK's default credential chain and region, or
// the region an ARN names; 30 s per operation, 2 MiB (apiclient's tls_resolvers.rs). Endpoints
// follow the SDK's own overrides (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>). Loaded only
// when such a source is given: the SDK clients are costly to start.
import { BrktError, messageOf } from '../core/errors';
import type { UriSource } from '../core/client/uri-source';
import { utf8Text } from '../core/client/uri-source';

const MAX_SIZE_BYTES = 2 * 1024 * 1024;
const OPERATION_TIMEOUT_MS = 30_000;
const CLIENT = { maxAttempts: 3, requestHandler: { connectionTimeout: 10_000, requestTimeout: OPERATION_TIMEOUT_MS } };

/** `code: message`, as upstream's format_sdk_error. */
function sdkMessage(error: unknown): string {
  const code = (error as { name?: string; Code?: string })?.Code ?? (error as { name?: string })?.name;
  const message = (error as { message?: string })?.message;
  if (code && code !== 'Error' && message) return `${code}: ${message}`;
  return message || code || 'Unknown error';
}

const tls = (message: string) => new BrktError('unavailable', `TLS resolver error: ${message}`);

/** Runs an SDK call with the whole-operation deadline. */
async function withDeadline<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`operation did not finish within ${OPERATION_TIMEOUT_MS / 1000} s`)), OPERATION_TIMEOUT_MS);
  try {
    return await run(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

export async function readAwsSource(source: Extract<UriSource, { kind: 's3' | 'secretsmanager' | 'ssm' }>): Promise<string> {
  if (source.kind === 's3') return readS3(source.bucket, source.key);
  if (source.kind === 'secretsmanager') return readSecret(source.id, source.region);
  return readParameter(source.name, source.region);
}

async function readS3(bucket: string, key: string): Promise<string> {
  const sdk = await import('@aws-sdk/client-s3');
  const client = new sdk.S3Client(CLIENT);
  const tooLarge = (size: number) => tls(`S3 object s3://${bucket}/${key} is too large (${size} bytes, maximum is ${MAX_SIZE_BYTES} bytes)`);
  try {
    return await withDeadline(async abortSignal => {
      let reply;
      try {
        reply = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
      } catch (error) {
        throw tls(`Failed to fetch S3 object '${bucket}/${key}': ${sdkMessage(error)}`);
      }
      if (reply.ContentLength !== undefined && reply.ContentLength > MAX_SIZE_BYTES) {
        await reply.Body?.transformToWebStream().cancel().catch(() => undefined);
        throw tooLarge(reply.ContentLength);
      }
      // Counted while streaming too: a wrong or absent Content-Length must not let more in.
      const parts: Uint8Array[] = [];
      let size = 0;
      try {
        for await (const chunk of (reply.Body?.transformToWebStream() ?? []) as AsyncIterable<Uint8Array>) {
          size += chunk.length;
          if (size > MAX_SIZE_BYTES) throw tooLarge(size);
          parts.push(chunk);
        }
      } catch (error) {
        if (error instanceof BrktError) throw error;
        throw tls(`Failed to read S3 object body '${bucket}/${key}': ${messageOf(error)}`);
      }
      return utf8Text(Buffer.concat(parts), `s3://${bucket}/${key}`);
    });
  } finally {
    client.destroy();
  }
}

async function readSecret(id: string, region?: string): Promise<string> {
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const client = new sdk.SecretsManagerClient({ ...CLIENT, region });
  try {
    const reply = await withDeadline(abortSignal => client.send(new sdk.GetSecretValueCommand({ SecretId: id }), { abortSignal })).catch(error => {
      throw tls(`Failed to fetch secret '${id}' from Secrets Manager: ${sdkMessage(error)}`);
    });
    if (reply.SecretString === undefined) throw tls(`Secrets Manager secret '${id}' did not return a string value`);
    return reply.SecretString;
  } finally {
    client.destroy();
  }
}

async function readParameter(name: string, region?: string): Promise<string> {
  const sdk = await import('@aws-sdk/client-ssm');
  const client = new sdk.SSMClient({ ...CLIENT, region });
  try {
    const reply = await withDeadline(abortSignal => client.send(new sdk.GetParameterCommand({ Name: name, WithDecryption: true }), { abortSignal })).catch(error => {
      throw tls(`Failed to fetch parameter '${name}' from SSM: ${sdkMessage(error)}`);
    });
    const value = reply.Parameter?.Value;
    if (value === undefined) throw tls(`SSM parameter '${name}' did not return a string value`);
    return value;
  } finally {
    client.destroy();
  }
}
