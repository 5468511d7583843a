// Keeps an API server running until SIGTERM or SIGINT, then stops it cleanly (socket removed).
// Shared by `brkt apiserver`, the `apiserver` role and `brkt boot --serve`.
import type { ApiServer } from '../../core/api/server';

/** Resolves with the signal's name once one arrives; the handlers are removed again. */
export function waitForStopSignal(signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): Promise<string> {
  return new Promise(resolve => {
    const handlers = signals.map(signal => {
      const handler = () => {
        signals.forEach((s, i) => process.off(s, handlers[i]!));
        resolve(signal);
      };
      process.on(signal, handler);
      return handler;
    });
  });
}

/** Tells systemd the server is ready when started as a `Type=notify` unit (api.md 1.2 step 4). */
export async function notifyReady(server: ApiServer, log: (line: string) => void) {
  if (!server.platform.env('NOTIFY_SOCKET')) return;
  const result = await server.platform.exec(['systemd-notify', '--ready', '--no-block']);
  if (result.code !== 0) throw new Error(`systemd-notify --ready failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  delete process.env.NOTIFY_SOCKET; // children must not inherit it
  log('apiserver: notified systemd of readiness');
}

/** Serves (listening first if needed) until a stop signal, then stops. */
export async function serveUntilStopped(server: ApiServer, log: (line: string) => void, listening = false): Promise<void> {
  const stop = waitForStopSignal();
  if (!listening) await server.listen();
  log(`apiserver: serving the API on ${server.socket}`);
  await notifyReady(server, log);
  const signal = await stop;
  log(`apiserver: ${signal} received, stopping`);
  await server.stop();
}
