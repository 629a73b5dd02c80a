import { configDefaults, defineConfig } from 'vitest/config';
import { wasmBytesPlugin } from './build/wasm-bytes-plugin.ts';

export default defineConfig({
  plugins: [wasmBytesPlugin(import.meta.dirname)],
  test: {
    include: ['test/**/*.test.ts'],
    // Checks of the runs on the Lambda's Node.js (vitest.lambda-node.config.ts), which fail anywhere else.
    exclude: [...configDefaults.exclude, 'test/**/*.lambda-node.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests build SDK clients in this process too; the CLI sets the same switch for itself (tools/cli.ts).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
