// Pinned for every test: stable time zone, no colours in anything we parse, and a generous
// default timeout (spawning tests and disk work are slow on a 2-core machine; no test sets its own).
import { setDefaultTimeout } from 'bun:test';

process.env.TZ = 'UTC';
process.env.NO_COLOR = '1';
setDefaultTimeout(120_000);
