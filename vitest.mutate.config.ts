import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The tests `npm run mutate` runs against each mutant: the unit and differential tests of the rules, of the
 * CDK context parsing and of reconcile's accounting. Tests that start emulators or need the built bundle are left out: they check no rule
 * the unit tests do not, and would multiply the run time.
 */
export default defineConfig({
  plugins: base.plugins,
  test: {
    ...base.test,
    include: ['test/transform/**/*.test.ts', 'test/infra/config*.test.ts', 'test/cli/reconcile.test.ts', 'test/cli/reconcile-ledger.property.test.ts', 'test/cli/reconcile-run.test.ts', 'test/reconcile-function/forwarded-check.test.ts', 'test/reconcile-function/windows.test.ts'],
    exclude: ['test/transform/bundle-reingest.test.ts', 'test/transform/kinesis-reingest.test.ts'],
    setupFiles: ['test/support/mutate-setup.ts'],
  },
});
