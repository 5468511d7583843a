// The `strength` query parameter of PATCH /settings and /settings/keypair (settings-now.md 1.3;
// upstream's server/mod.rs query_strength): weak or strong, strong when absent.
import { ApiError } from './api-error';
import { isStrength, type Strength } from '../datastore/strength';
import type { Query } from './request';

export function strengthOf(query: Query): Strength {
  const given = query.get('strength');
  if (given === undefined) return 'strong';
  if (isStrength(given)) return given;
  throw new ApiError(400, `Provided strength is not one of weak or strong. The given strength is: ${given}. unknown variant \`${given}\`, expected \`weak\` or \`strong\``);
}
