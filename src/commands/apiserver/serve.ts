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

/**
 * Tells systemd the server is ready when started as a `Type=notify` unit (api.md 1.2 step 4):
 * READY=1 from this process itself, since systemd only listens to the unit's main process.
 */
export async function notifyReady(server: ApiServer, log: (line: string) => void) {
  if (await server.platform.notifyReady()) log('apiserver: notified systemd of readiness');
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
