// A tiny S3 (GetObject, path-style) and Secrets Manager (GetSecretValue, AWS JSON 1.1) server on
// 127.0.0.1 for the AWS sources of `apiclient apply`. Records every request with its region.

export interface FakeAwsObjects extends AsyncDisposable {
  endpoint: string;
  requests: Array<{ service: 's3' | 'secretsmanager'; target: string; region: string }>;
}

export interface FakeAwsObjectsOptions {
  /** S3 objects by `bucket/key`. */
  objects?: Record<string, string | Uint8Array>;
  /** Secrets by SecretId; `null` is a secret with binary data only. */
  secrets?: Record<string, string | null>;
}

/** The region a SigV4 Authorization header was signed for. */
const regionOf = (authorization: string) => /Credential=[^/]+\/\d+\/([^/]+)\//.exec(authorization)?.[1] ?? '';

export function startFakeAwsObjects(options: FakeAwsObjectsOptions): FakeAwsObjects {
  const requests: FakeAwsObjects['requests'] = [];
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const region = regionOf(request.headers.get('authorization') ?? '');
      const target = request.headers.get('x-amz-target');
      if (target === 'secretsmanager.GetSecretValue') {
        const body = (await request.json()) as { SecretId: string };
        requests.push({ service: 'secretsmanager', target: body.SecretId, region });
        const headers = { 'content-type': 'application/x-amz-json-1.1' };
        if (!options.secrets || !(body.SecretId in options.secrets)) {
          return Response.json({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }, { status: 400, headers });
        }
        const value = options.secrets[body.SecretId];
        return Response.json({ ARN: `arn:aws:secretsmanager:${region}:123456789012:secret:${body.SecretId}`, Name: body.SecretId, ...(value === null ? { SecretBinary: 'AAE=' } : { SecretString: value }) }, { headers });
      }
      const path = decodeURIComponent(new URL(request.url).pathname.slice(1));
      requests.push({ service: 's3', target: path, region });
      const object = options.objects?.[path];
      if (request.method !== 'GET' || object === undefined) {
        const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${path}</Key></Error>`;
        return new Response(xml, { status: 404, headers: { 'content-type': 'application/xml' } });
      }
      return new Response(object, { headers: { 'content-type': 'binary/octet-stream' } });
    },
  });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    requests,
    async [Symbol.asyncDispose]() {
      await server.stop(true);
    },
  };
}
