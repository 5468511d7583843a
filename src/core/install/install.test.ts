// brkt install into a temp root: every unit file parses strictly, the ordering graph is acyclic
// and keeps host.md 1.5's order (with brkt's later mark-successful-boot), enablement links say
// what [Install] says, and a file where a link goes is refused before anything is written.
import { describe, expect, test } from 'bun:test';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makePlatform } from '../../platform';
import { makeTempDir } from '../../../test/helpers/sandbox';
import { parseUnitFile, valuesOf, type UnitFile } from '../../../test/helpers/unit-file';
import { formatPlan, install, installPlan } from './install';
import { ENABLE_DIR, UNIT_DIR, UNITS } from './units';

async function installed() {
  const dir = makeTempDir();
  const result = await install(makePlatform({ root: dir.root, env: {} }));
  const unitDir = join(dir.root, UNIT_DIR);
  const units = new Map<string, UnitFile>();
  for (const name of readdirSync(unitDir)) {
    if (name.endsWith('.d')) {
      for (const dropIn of readdirSync(join(unitDir, name))) units.set(`${name}/${dropIn}`, parseUnitFile(readFileSync(join(unitDir, name, dropIn), 'utf8'), dropIn));
    } else {
      units.set(name, parseUnitFile(readFileSync(join(unitDir, name), 'utf8'), name));
    }
  }
  return Object.assign(dir, { result, units });
}

/**
 * `a` starts before `b`: After/Before edges, drop-ins counted for the unit they extend, and a
 * target after the units it wants or requires (systemd.target(5) default dependencies; systemd
 * skips that edge when the unit is ordered after the target, as activate-* are).
 */
function orderingEdges(root: string, units: Map<string, UnitFile>): Array<[string, string]> {
  const edges: Array<[string, string]> = [];
  for (const entry of readdirSync(join(root, ENABLE_DIR))) {
    const target = /^(.+\.target)\.(wants|requires)$/.exec(entry)?.[1];
    if (!target) continue;
    for (const unit of readdirSync(join(root, ENABLE_DIR, entry))) {
      if (!valuesOf(units.get(unit)!, 'Unit', 'After').includes(target)) edges.push([unit, target]);
    }
  }
  for (const [file, unit] of units) {
    const name = file.includes('.d/') ? file.slice(0, file.indexOf('.d/')) : file;
    for (const after of valuesOf(unit, 'Unit', 'After')) edges.push([after, name]);
    for (const before of valuesOf(unit, 'Unit', 'Before')) edges.push([name, before]);
  }
  return edges;
}

function topologicalOrder(edges: Array<[string, string]>): string[] {
  const nodes = new Set(edges.flat());
  const incoming = new Map([...nodes].map(node => [node, 0]));
  for (const [, to] of edges) incoming.set(to, incoming.get(to)! + 1);
  const ready = [...nodes].filter(node => incoming.get(node) === 0);
  const order: string[] = [];
  while (ready.length) {
    const node = ready.shift()!;
    order.push(node);
    for (const [from, to] of edges) if (from === node && incoming.set(to, incoming.get(to)! - 1).get(to) === 0) ready.push(to);
  }
  if (order.length !== nodes.size) throw new Error(`ordering cycle among ${[...nodes].filter(node => !order.includes(node)).join(', ')}`);
  return order;
}

describe('brkt install', () => {
  test('every unit file parses strictly and the plan names them all', async () => {
    await using dir = await installed();
    expect([...dir.units.keys()].sort()).toEqual(UNITS.map(unit => unit.name).sort());
    expect(dir.result).toMatchObject({ files: UNITS.length + 1, links: installPlan().filter(entry => entry.kind === 'link').length });
    const apiserver = dir.units.get('apiserver.service')!;
    expect(valuesOf(apiserver, 'Service', 'Type')).toEqual(['notify']);
    expect(valuesOf(apiserver, 'Service', 'ExecStart')).toContain('--socket-gid');
    expect(valuesOf(apiserver, 'Service', 'Restart')).toEqual(['always']);
    expect(readFileSync(dir.path('usr/lib/sysusers.d/brkt-api.conf'), 'utf8')).toBe('g api 274 - -\n');
  });

  test("the ordering graph is acyclic and keeps host.md 1.5's order; success is marked last", async () => {
    await using dir = await installed();
    const edges = orderingEdges(dir.root, dir.units);
    const order = topologicalOrder(edges);
    // Reachability over the ordering edges: what must have started before what.
    const before = (a: string, b: string) => {
      const seen = new Set([a]);
      const queue = [a];
      for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
        for (const [from, to] of edges) if (from === node && !seen.has(to)) (seen.add(to), queue.push(to));
      }
      return seen.has(b) && a !== b;
    };
    const chain = ['migrator', 'storewolf', 'apiserver', 'early-boot-config', 'sundog', 'settings-applier', 'bootstrap-commands', 'mark-successful-boot'].map(name => `${name}.service`);
    for (let i = 0; i + 1 < chain.length; i++) expect(before(chain[i]!, chain[i + 1]!)).toBe(true);
    for (const step of chain) expect(before(step, 'preconfigured.target')).toBe(true);
    expect(before('migrator.service', 'mark-successful-boot.service')).toBe(true);
    expect(before('preconfigured.target', 'activate-configured.service')).toBe(true);
    expect(before('preconfigured.target', 'configured.target')).toBe(true);
    expect(before('configured.target', 'activate-multi-user.service')).toBe(true);
    expect(before('configured.target', 'multi-user.target')).toBe(true);
    expect(order.indexOf('mark-successful-boot.service')).toBeGreaterThan(order.indexOf('settings-applier.service'));
  });

  test('requirements follow host.md 1.5 (-(R)->) and [Install] becomes enablement links', async () => {
    await using dir = await installed();
    const requires = (unit: string) => valuesOf(dir.units.get(unit)!, 'Unit', 'Requires');
    expect(requires('storewolf.service')).toContain('migrator.service');
    expect(requires('apiserver.service')).toEqual(expect.arrayContaining(['storewolf.service', 'migrator.service']));
    expect(requires('early-boot-config.service')).toContain('storewolf.service');
    expect(requires('sundog.service')).toContain('early-boot-config.service');
    expect(requires('settings-applier.service')).toEqual(expect.arrayContaining(['storewolf.service', 'sundog.service', 'early-boot-config.service']));
    expect(requires('bootstrap-commands.service')).toContain('settings-applier.service');
    expect(requires('mark-successful-boot.service')).toEqual(expect.arrayContaining(['migrator.service', 'settings-applier.service', 'bootstrap-commands.service']));
    const enabled = (dirName: string) => readdirSync(dir.path(`${ENABLE_DIR}/${dirName}`)).sort();
    expect(enabled('preconfigured.target.requires')).toEqual(
      ['bootstrap-commands', 'early-boot-config', 'mark-successful-boot', 'migrator', 'settings-applier', 'storewolf', 'sundog'].map(name => `${name}.service`),
    );
    expect(enabled('preconfigured.target.wants')).toEqual(['activate-configured.service', 'apiserver.service']);
    expect(enabled('configured.target.wants')).toEqual(['activate-multi-user.service', 'host-containerd.service']);
    // Templates are enabled per instance by the host- and bootstrap-containers programs.
    expect(existsSync(dir.path(`${ENABLE_DIR}/multi-user.target.wants`))).toBe(false);
    expect(readlinkSync(dir.path(`${ENABLE_DIR}/preconfigured.target.wants/apiserver.service`))).toBe(`${UNIT_DIR}/apiserver.service`);
    expect(readlinkSync(dir.path(`${ENABLE_DIR}/default.target`))).toBe(`${UNIT_DIR}/preconfigured.target`);
    for (const tool of ['apiclient', 'apiserver', 'updog', 'signpost', 'logdog', 'sheltie', 'migrator', 'host-containers', 'bootstrap-containers', 'host-ctr']) expect(readlinkSync(dir.path(`usr/bin/${tool}`))).toBe('brkt');
  });

  test('running it again keeps the same tree; a regular file where a link goes is refused with nothing written', async () => {
    await using dir = makeTempDir();
    const platform = makePlatform({ root: dir.root, env: {} });
    await install(platform);
    const again = await install(platform);
    expect(again.files).toBe(UNITS.length + 1);
    await using other = makeTempDir();
    mkdirSync(other.path('usr/bin'), { recursive: true });
    writeFileSync(other.path('usr/bin/updog'), 'not a link');
    const error = await install(makePlatform({ root: other.root, env: {} })).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`Refusing to replace ${other.path('usr/bin/updog')} with a link: it is not a link`);
    expect(existsSync(other.path(UNIT_DIR))).toBe(false);
  });

  test('--dry-run text holds every unit file with its path and every link', () => {
    const text = formatPlan(installPlan());
    for (const unit of UNITS) expect(text).toContain(`# ${UNIT_DIR}/${unit.name}\n# Written by brkt install`);
    expect(text).toContain(`${ENABLE_DIR}/default.target -> ${UNIT_DIR}/preconfigured.target`);
    expect(text).toContain('/usr/bin/migrator -> brkt');
  });
});
