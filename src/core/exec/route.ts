// `GET /exec`: upgrades to the exec WebSocket; anything else on the path is a 400.
import type { Platform, Upgrade } from '../../platform/types';
import { execSession } from './session';

export function execRoute(platform: Platform, request: Request, upgrade: Upgrade, log?: (line: string) => void): Response {
  if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
    return new Response('GET /exec needs a WebSocket upgrade', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
  if (upgrade(execSession(platform, log))) return new Response(null, { status: 101 });
  return new Response('WebSocket upgrade failed', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
