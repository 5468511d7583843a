// `npm run bench`: every benchmark, each beside its reference tool in the same run.
import { rmSync } from 'node:fs';
import { printRows, type Row } from './measure';
import { SCRATCH } from './setup';
import { benchStartup } from './startup';
import { benchLz4 } from './lz4';
import { benchApi } from './api';
import { benchClient } from './client';
import { benchSignpost } from './signpost';
import { benchLogs } from './logs';
import { benchMigrator } from './migrator';
import { benchUpdate } from './update';
import { benchScale } from './scale';
import { benchVm } from './vm';

const BENCHES: Array<[string, () => Promise<Row[]>]> = [
  ['start-up', benchStartup],
  ['lz4 image apply', benchLz4],
  ['settings API', benchApi],
  ['client', benchClient],
  ['signpost', benchSignpost],
  ['logs', benchLogs],
  ['migrator', benchMigrator],
  ['update apply', benchUpdate],
  ['scale: 100, 1,000 and 10,000 keys', benchScale],
  ['virtual machine', benchVm],
];

const only = process.argv.slice(2);
try {
  for (const [title, bench] of BENCHES) {
    if (only.length && !only.some(word => title.includes(word))) continue;
    printRows(title, await bench());
  }
} finally {
  rmSync(SCRATCH, { recursive: true, force: true });
}
