// Every setting a shipped template reads must re-render that template's file when it changes or
// is deleted: the affected-services metadata of each read key (inherited from its nearest
// ancestor, datastore.md 6) and of every metadata key below it must name a service that owns the
// file. Checked mechanically, for every variant's defaults, from the templates' syntax trees.
import { describe, expect, test } from 'bun:test';
import { EMBEDDED_TEMPLATES, TEMPLATE_DIR } from '../../templates';
import { ANY_ELEMENT, templateSettingsReads } from '../templates/reads';
import { SHIPPED_VARIANTS, variantDefaults } from './defaults';

interface FileCoverage {
  file: string;
  template: string;
  owners: string[];
  /** Read keys whose change or deletion would not reach an owner, with the services it does reach. */
  uncovered: Array<{ key: string; reaches: string[] }>;
}

/** What the metadata says for one variant: which template files each changed key re-renders. */
function coverage(variant: string): FileCoverage[] {
  const defaults = variantDefaults(variant);
  const other = new Map(defaults.other.map(pair => [pair.key.name, JSON.parse(pair.text) as unknown]));
  const affected = new Map(defaults.metadata.filter(meta => meta.name === 'affected-services').map(meta => [meta.key.segments.join('\u0000'), JSON.parse(meta.text) as string[]]));

  const serviceNames = [...new Set(defaults.other.filter(pair => pair.key.segments[0] === 'services').map(pair => pair.key.segments[1]!))];
  const fileNames = [...new Set(defaults.other.filter(pair => pair.key.segments[0] === 'configuration-files').map(pair => pair.key.segments[1]!))];

  /** The services a change of `segments` reaches: the nearest ancestor-or-self's metadata. */
  const inherited = (segments: string[]) => {
    for (let n = segments.length; n > 0; n--) {
      const found = affected.get(segments.slice(0, n).join('\u0000'));
      if (found) return found;
    }
    return [];
  };
  /** Metadata strictly below `segments`: keys that override what they inherit. */
  const below = (segments: string[]) =>
    [...affected.entries()].filter(([name]) => name.startsWith(segments.join('\u0000') + '\u0000')).map(([name, services]) => ({ key: name.split('\u0000'), services }));

  return fileNames.map(file => {
    const templatePath = other.get(`configuration-files.${file}.template-path`) as string;
    const template = templatePath.slice(TEMPLATE_DIR.length);
    const text = EMBEDDED_TEMPLATES.get(template);
    if (text === undefined) throw new Error(`${variant}: configuration file ${file} names ${templatePath}, which brkt does not ship`);
    const owners = serviceNames.filter(service => (other.get(`services.${service}.configuration-files`) as string[]).includes(file));
    const uncovered: FileCoverage['uncovered'] = [];
    for (const read of templateSettingsReads(text)) {
      // What an #each walks is known up to the element; everything below is its subtree.
      const known = read.includes(ANY_ELEMENT) ? read.slice(0, read.indexOf(ANY_ELEMENT)) : read;
      const checks = [{ key: known, services: inherited(known) }, ...below(known)];
      for (const check of checks) {
        if (!check.services.some(service => owners.includes(service))) uncovered.push({ key: check.key.join('.'), reaches: check.services });
      }
    }
    return { file, template, owners, uncovered };
  });
}

describe.each(SHIPPED_VARIANTS)('%s', variant => {
  test('every configuration file has an owning service and a shipped template', () => {
    for (const file of coverage(variant)) expect({ file: file.file, owned: file.owners.length > 0 }).toEqual({ file: file.file, owned: true });
  });

  test('every setting a template reads re-renders its file', () => {
    const gaps = coverage(variant).filter(file => file.uncovered.length).map(({ file, uncovered }) => ({ file, uncovered }));
    expect(gaps).toEqual([]);
  });
});

test('the check sees the proxy settings updog.toml reads', () => {
  const updog = coverage('aws-dev').find(file => file.file === 'updog-toml')!;
  expect(updog.owners).toEqual(['updog']);
  const reads = templateSettingsReads(EMBEDDED_TEMPLATES.get('updog-toml')!).map(path => path.join('.'));
  expect(reads).toContain('settings.network.https-proxy');
  expect(reads).toContain('settings.network.no-proxy');
});
