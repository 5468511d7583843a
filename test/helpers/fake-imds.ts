// A fake EC2 instance metadata service for tests, on 127.0.0.1 with a free port.

/** A fake EC2 instance metadata service on 127.0.0.1 (IMDSv2: token first). */
export function fakeImds(paths: Record<string, string>) {
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      requests.push(`${request.method} ${url.pathname}`);
      if (request.method === 'PUT' && url.pathname === '/latest/api/token') {
        return request.headers.get('x-aws-ec2-metadata-token-ttl-seconds') === '60' ? new Response('token-1') : new Response('', { status: 400 });
      }
      if (request.headers.get('x-aws-ec2-metadata-token') !== 'token-1') return new Response('', { status: 401 });
      const body = paths[url.pathname];
      return body === undefined ? new Response('', { status: 404 }) : new Response(body);
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, [Symbol.asyncDispose]: () => server.stop(true) };
}
