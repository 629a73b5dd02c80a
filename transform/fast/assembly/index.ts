// Placeholder entry of the WebAssembly scanner (AssemblyScript); replaced by the port of the fast path.
export function scannerVersion(): i32 {
  return 1;
}
