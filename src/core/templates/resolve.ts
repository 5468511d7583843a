// Finds the text of a configuration file's template-path: the file under the root when it
// exists (a host or sandbox may carry its own), else the template embedded in brkt.
import { BrktError } from '../errors';
import { EMBEDDED_TEMPLATES, TEMPLATE_DIR } from '../../templates';
import type { Platform } from '../../platform/types';

/**
 * Choice: the file under the root wins, so templates written for upstream (or changed by an
 * operator) render as they are; brkt's embedded copy of the same name fills in for a missing
 * file, which is the normal case in a sandbox and on hosts without `/usr/share/templates`.
 */
export async function loadTemplate(platform: Platform, templatePath: string): Promise<string> {
  const onHost = await platform.files.readTextIfExists(platform.path(templatePath));
  if (onHost !== undefined) return onHost;
  const embedded = templatePath.startsWith(TEMPLATE_DIR) ? EMBEDDED_TEMPLATES.get(templatePath.slice(TEMPLATE_DIR.length)) : undefined;
  if (embedded !== undefined) return embedded;
  throw new BrktError('not-found', `No template at ${templatePath}: the file is missing under ${platform.paths.root} and brkt has no embedded template of that name`);
}
