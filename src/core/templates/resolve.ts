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
  if (onHost !== undefined) return includeFiles(platform, onHost);
  const embedded = templatePath.startsWith(TEMPLATE_DIR) ? EMBEDDED_TEMPLATES.get(templatePath.slice(TEMPLATE_DIR.length)) : undefined;
  if (embedded !== undefined) return includeFiles(platform, embedded);
  throw new BrktError('not-found', `No template at ${templatePath}: the file is missing under ${platform.paths.root} and brkt has no embedded template of that name`);
}

const INCLUDE = /^\{\{!-- include-file (\/[^\s]+) --\}\}\n/gm;

/**
 * A line `{{!-- include-file /path --}}` becomes the text of that file under the root, as it is
 * (a raw block: no value of the file is a template expression). The CA bundle starts from the
 * image's factory bundle this way. A missing file is an error, as for upstream's certdog.
 */
async function includeFiles(platform: Platform, text: string): Promise<string> {
  const paths = [...text.matchAll(INCLUDE)].map(match => match[1]!);
  if (paths.length === 0) return text;
  const contents = new Map<string, string>();
  for (const path of paths) {
    const content = await platform.files.readTextIfExists(platform.path(path));
    if (content === undefined) throw new BrktError('not-found', `The template includes ${path}, which is missing under ${platform.paths.root}`);
    if (content.includes('{{{{')) throw new BrktError('invalid-input', `The template includes ${path}, which holds '{{{{' and cannot be included as it is`);
    contents.set(path, content === '' || content.endsWith('\n') ? content : `${content}\n`);
  }
  return text.replace(INCLUDE, (_, path: string) => `{{{{file-content}}}}${contents.get(path)}{{{{/file-content}}}}`);
}
