// Starts the real API server on a real Unix socket in a temp sandbox, with a datastore made by
// storewolf from a shipped variant's defaults and `bottlerocket-launch` committed.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ApiServer, type ApiServerOptions } from '../../src/core/api/server';
import { runStorewolf, LAUNCH_TRANSACTION } from '../../src/core/datastore/storewolf';
import { variantDefaults } from '../../src/core/model/defaults';
import { osReleaseFor } from '../../src/core/sandbox/init';
import { makeSandbox, type Sandbox } from './sandbox';

export interface Reply {
  status: number;
  body: string;
  contentType: string | null;
}

export interface ApiFixture extends AsyncDisposable {
  sandbox: Sandbox;
  server: ApiServer;
  socket: string;
  /** The datastore directory (`current` resolved by the kernel on each access). */
  datastore: string;
  request(method: string, uri: string, body?: string, headers?: Record<string, string>): Promise<Reply>;
  /** GET (or another method) that must answer 2xx with JSON; returns the parsed body. */
  json(uri: string, method?: string, body?: string): Promise<unknown>;
  /** sha256 over every path, link target and file content under the datastore base. */
  datastoreHash(): string;
}

export interface FixtureOptions extends ApiServerOptions {
  variant?: string;
  version?: string;
  /** Leave `bottlerocket-launch` pending instead of committing it. */
  commitLaunch?: boolean;
}

/** Writes os-release and runs storewolf (no disk image or other sandbox parts are needed). */
export async function prepareRoot(sandbox: Sandbox, variant: string, version: string, commitLaunch = true) {
  const { platform } = sandbox;
  await platform.files.writeAtomic(platform.paths.osRelease, osReleaseFor(version, variant));
  await platform.files.mkdirp(platform.path('run'));
  await runStorewolf(platform.files, platform.paths.datastoreBase, version, variantDefaults(variant), platform.writeFilesAtomic);
  if (commitLaunch) {
    const server = await ApiServer.open(platform);
    await server.handle(new Request(`http://localhost/tx/commit?tx=${LAUNCH_TRANSACTION}`, { method: 'POST' }));
    await server.stop(); // gives up its claim on the datastore: one server at a time serves it
  }
}

export function hashTree(dir: string): string {
  const hash = createHash('sha256');
  const visit = (path: string, rel: string) => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      const stat = lstatSync(full);
      const relName = `${rel}/${name}`;
      if (stat.isSymbolicLink()) hash.update(`L ${relName} -> ${readlinkSync(full)}\n`);
      else if (stat.isDirectory()) {
        hash.update(`D ${relName}\n`);
        visit(full, relName);
      } else hash.update(`F ${relName} ${readFileSync(full).toString('base64')}\n`);
    }
  };
  visit(dir, '');
  return hash.digest('hex');
}

export async function request(socket: string, method: string, uri: string, body?: string, headers?: Record<string, string>): Promise<Reply> {
  const response = await fetch(`http://localhost${uri}`, {
    unix: socket,
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  } as RequestInit);
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') };
}

export async function startApiServer(options: FixtureOptions = {}): Promise<ApiFixture> {
  const sandbox = await makeSandbox({ init: false });
  await prepareRoot(sandbox, options.variant ?? 'aws-k8s-1.17', options.version ?? '1.0.0', options.commitLaunch ?? true);
  const socket = sandbox.path('run/api.sock');
  const server = await ApiServer.open(sandbox.platform, { socket, ...options });
  await server.listen();
  const send = (method: string, uri: string, body?: string, headers?: Record<string, string>) => request(socket, method, uri, body, headers);
  return {
    sandbox,
    server,
    socket,
    datastore: sandbox.platform.paths.datastore,
    request: send,
    async json(uri, method = 'GET', body) {
      const reply = await send(method, uri, body);
      if (reply.status < 200 || reply.status > 299) throw new Error(`${method} ${uri}: ${reply.status} ${reply.body}`);
      return JSON.parse(reply.body);
    },
    datastoreHash: () => hashTree(sandbox.platform.paths.datastoreBase),
    async [Symbol.asyncDispose]() {
      await server.stop();
      await sandbox[Symbol.asyncDispose]();
    },
  };
}

/**
 * Spawns the compiled binary (`brkt apiserver ...`, `brkt boot --serve`, or any argv0) and
 * resolves once it says it is serving; `output()` is what it has written so far (both streams).
 */
export async function spawnServing(args: string[], options: { root: string; argv0?: string; env?: Record<string, string> }) {
  const { BRKT_BIN, testEnv } = await import('./brkt');
  const child = Bun.spawn({
    cmd: [BRKT_BIN, ...args],
    argv0: options.argv0,
    env: { ...testEnv, BRKT_ROOT: options.root, ...options.env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const decoder = new TextDecoder();
  let output = '';
  let serving: () => void = () => undefined;
  const ready = new Promise<void>(resolve => (serving = resolve));
  // Both streams are read in the background so the child never blocks on a full pipe.
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      output += decoder.decode(chunk);
      if (output.includes('serving the API on')) serving();
    }
  };
  const drained = Promise.all([drain(child.stderr), drain(child.stdout)]);
  await Promise.race([ready, drained.then(() => Promise.reject(new Error(`server exited before serving: ${output}`)))]);
  return { child, output: () => output, drained };
}
