/**
 * `import bytes from './x.wasm'`: the module's bytes, embedded by esbuild's binary loader in the bundles and by
 * build/wasm-bytes-plugin.ts in the tests (see build/scanner-wasm.ts).
 */
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
