// Upstream's own data files (manifests, waves, openapi.yaml, defaults) and the outcomes its tests
// expect, kept in the repository so the tests need nothing outside it.
import { join } from 'node:path';

export const UPSTREAM_FIXTURES = join(import.meta.dir, '../fixtures/upstream');
