// Lockdown (settings-now.md 2; apiserver's /actions/lockdown, ck#727): after it, every request
// that reads or writes the datastore fails with upstream's 500 until the next boot. Upstream
// removes the datastore's fscrypt key; brkt keeps a flag file under run/ (a tmpfs on a host, so
// a reboot clears it; in a sandbox `brkt boot` removes it, see Platform.clearRunStateAtBoot).
import { ApiError } from './api-error';
import type { Query } from './request';
import type { Platform } from '../../platform/types';

/** Requests that never touch the datastore and keep working. */
const UNTOUCHED = new Set([
  'GET /os',
  'POST /tx/apply',
  'GET /updates/status',
  'POST /actions/reboot',
  'POST /actions/refresh-updates',
  'POST /actions/prepare-update',
  'POST /actions/activate-update',
  'POST /actions/deactivate-update',
  'POST /actions/lockdown',
  'POST /actions/network/configure',
  'GET /exec',
]);

const AREA_OF: Record<string, string> = { '/services': 'services.', '/configuration-files': 'configuration-files.' };

export class Lockdown {
  private locked = false;

  private constructor(private readonly platform: Platform, private readonly datastore: string) {}

  /** The state this boot has: locked when an earlier lockdown's flag is still there. */
  static async load(platform: Platform, datastore: string): Promise<Lockdown> {
    const lockdown = new Lockdown(platform, datastore);
    lockdown.locked = await platform.files.exists(platform.paths.lockdownFlag);
    return lockdown;
  }

  get active(): boolean {
    return this.locked;
  }

  /** Locks the datastore until the next boot; the flag is durable before the 204. */
  async engage(): Promise<void> {
    await this.platform.files.writeAtomic(this.platform.paths.lockdownFlag, `${this.platform.now().toISOString()}\n`);
    this.locked = true;
  }

  /**
   * Throws upstream's answer to a datastore request after lockdown; returns when the request may
   * go on. Reads of live find the live datastore missing; writes cannot reach pending files.
   */
  refuse(method: string, path: string, query: Query): void {
    const refusal = this.refusal(method, path, query);
    if (refusal) throw refusal;
  }

  private refusal(method: string, path: string, query: Query): ApiError | undefined {
    if (!this.locked || UNTOUCHED.has(`${method} ${path}`)) return undefined;
    const live = `${this.datastore}/live`;
    const tx = query.get('tx') || 'default';
    const pending = `${this.datastore}/pending/${tx}/settings`;
    const keyUnavailable = `IO error on '${pending}': Required key not available (os error 126)`;
    if (method === 'GET' && path !== '/tx' && path !== '/v2/tx' && path !== '/tx/list') {
      const prefix = query.get('prefix') ?? AREA_OF[path] ?? 'settings.';
      return new ApiError(500, `Data store error during get_prefix '${prefix}' for Live: Data store integrity violation at ${live}: Live datastore missing`);
    }
    if (method === 'GET') return new ApiError(500, `Data store error during get_prefix 'settings.' for Pending { tx: ${JSON.stringify(tx)} }: ${keyUnavailable}`);
    if (method === 'POST') return new ApiError(500, `Data store error during commit: ${keyUnavailable}`);
    return new ApiError(500, `Data store error during Failure in setting metadata.: ${keyUnavailable}`);
  }
}
