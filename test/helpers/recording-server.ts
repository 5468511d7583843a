// An HTTP server on a temp Unix socket that records every request and answers from a script:
// the "fake server" of apiclient.md's test vectors.
import { join } from 'node:path';
import { makeTempDir, type TempDir } from './sandbox';

export interface Recorded {
  method: string;
  uri: string;
  contentType: string | null;
  body: string;
}

export interface Answer {
  status: number;
  body?: string;
}

export interface RecordingServer extends AsyncDisposable {
  socket: string;
  requests: Recorded[];
}

/** `answer` sees each request (and how many came before it) and returns the reply. */
export function recordingServer(answer: (request: Recorded, index: number) => Answer | Promise<Answer>): RecordingServer {
  const dir: TempDir = makeTempDir('brkt-fake-api-');
  const socket = join(dir.root, 'api.sock');
  const requests: Recorded[] = [];
  const server = Bun.serve({
    unix: socket,
    async fetch(req) {
      const url = new URL(req.url);
      const recorded = { method: req.method, uri: url.pathname + url.search, contentType: req.headers.get('content-type'), body: await req.text() };
      requests.push(recorded);
      const reply = await answer(recorded, requests.length - 1);
      return new Response(reply.body ?? '', { status: reply.status });
    },
  });
  return {
    socket,
    requests,
    async [Symbol.asyncDispose]() {
      await server.stop(true);
      await dir[Symbol.asyncDispose]();
    },
  };
}
