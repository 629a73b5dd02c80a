/**
 * The synchronous part of the WebAssembly JavaScript API (https://webassembly.github.io/spec/js-api/) that the
 * scanner's loader and its tests use. TypeScript declares it only in lib.dom, which this Node.js project leaves
 * out, and @types/node 22 does not declare it (microsoft/TypeScript#47381). Signatures as in lib.dom.
 */
declare namespace WebAssembly {
  type ImportExportKind = 'function' | 'table' | 'memory' | 'global' | 'tag';

  interface ModuleExportDescriptor {
    kind: ImportExportKind;
    name: string;
  }

  interface ModuleImportDescriptor {
    kind: ImportExportKind;
    module: string;
    name: string;
  }

  interface Module {}
  var Module: {
    prototype: Module;
    new (bytes: ArrayBufferView | ArrayBuffer): Module;
    customSections(moduleObject: Module, sectionName: string): ArrayBuffer[];
    exports(moduleObject: Module): ModuleExportDescriptor[];
    imports(moduleObject: Module): ModuleImportDescriptor[];
  };

  interface Global {
    value: unknown;
  }

  interface Table {
    readonly length: number;
  }

  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  var Memory: {
    prototype: Memory;
    new (descriptor: { initial: number; maximum?: number; shared?: boolean }): Memory;
  };

  type ExportValue = Function | Global | Memory | Table;
  type Exports = Record<string, ExportValue>;
  type Imports = Record<string, Record<string, ExportValue | number>>;

  interface Instance {
    readonly exports: Exports;
  }
  var Instance: {
    prototype: Instance;
    new (module: Module, importObject?: Imports): Instance;
  };

  interface CompileError extends Error {}
  var CompileError: { prototype: CompileError; new (message?: string): CompileError };
  interface LinkError extends Error {}
  var LinkError: { prototype: LinkError; new (message?: string): LinkError };
  interface RuntimeError extends Error {}
  var RuntimeError: { prototype: RuntimeError; new (message?: string): RuntimeError };

  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
}
