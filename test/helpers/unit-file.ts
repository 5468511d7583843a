// A strict reader of systemd unit files (systemd.syntax(7)): comments, `[Section]` headers and
// `Key=value` lines only; no continuation lines, no text before the first section, no repeated
// section. Anything else throws with the line number, so a malformed unit fails the test.

export type UnitFile = Map<string, Array<[key: string, value: string]>>;

const SECTIONS = new Set(['Unit', 'Service', 'Install', 'Socket', 'Mount', 'Timer', 'Path']);

export function parseUnitFile(text: string, name = 'unit'): UnitFile {
  const sections: UnitFile = new Map();
  let current: Array<[string, string]> | undefined;
  if (!text.endsWith('\n')) throw new Error(`${name}: no newline at the end`);
  text.slice(0, -1).split('\n').forEach((line, i) => {
    const where = `${name}:${i + 1}`;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    if (line.endsWith('\\')) throw new Error(`${where}: continuation lines are not used`);
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      if (!SECTIONS.has(header[1]!)) throw new Error(`${where}: unknown section [${header[1]}]`);
      if (sections.has(header[1]!)) throw new Error(`${where}: section [${header[1]}] repeated`);
      sections.set(header[1]!, (current = []));
      return;
    }
    const pair = /^([A-Za-z][A-Za-z0-9]*)=(\S.*)$/.exec(line);
    if (!pair) throw new Error(`${where}: not a Key=value line: ${JSON.stringify(line)}`);
    if (!current) throw new Error(`${where}: ${pair[1]}= before the first section`);
    if (pair[2] !== pair[2]!.trimEnd()) throw new Error(`${where}: trailing whitespace`);
    current.push([pair[1]!, pair[2]!]);
  });
  return sections;
}

/** Every value of `key` in `section`, space-separated lists split. */
export function valuesOf(unit: UnitFile, section: string, key: string): string[] {
  return (unit.get(section) ?? []).filter(([k]) => k === key).flatMap(([, v]) => v.split(/\s+/).filter(Boolean));
}
