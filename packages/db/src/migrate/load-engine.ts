// Loads Prisma's WebAssembly schema engine (@prisma/schema-engine-wasm), the
// offline replacement for the native engine Prisma 7's CLI downloads.
//
// The package's main entry does `import * as wasm from "./x.wasm"`, which
// Node cannot load without --experimental-wasm-modules, so we instantiate
// the module by hand the way Prisma's own loader does: feed the JS glue
// (schema_engine_bg.js) to the wasm as its import object, then hand the
// instance back to the glue. Done once per process: wasm-bindgen keeps
// module-level state, and a second instantiation breaks it.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

type SchemaEngineClass = typeof SchemaEngine;

/**
 * The glue reports Rust panics through this global; without it a panic
 * surfaces as "Cannot read properties of undefined (reading 'set_message')".
 */
class WasmPanicRegistry {
  message = '';
  set_message(value: string): void {
    this.message = `RuntimeError: ${value}`;
  }
}
const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: WasmPanicRegistry };
g.PRISMA_WASM_PANIC_REGISTRY ??= new WasmPanicRegistry();

/** The last Rust panic message, if any (used to explain "unreachable" errors). */
export function lastWasmPanic(): string | undefined {
  return g.PRISMA_WASM_PANIC_REGISTRY?.message || undefined;
}

// Cached on globalThis, not in a module variable: test runners may evaluate
// this module several times in one process, but the glue module (and its
// wasm instance) exists once.
const cache = globalThis as { [key: symbol]: Promise<SchemaEngineClass> | undefined };
const CACHE_KEY = Symbol.for('genos.db.schemaEngineClass');

export function loadSchemaEngineClass(): Promise<SchemaEngineClass> {
  cache[CACHE_KEY] ??= (async () => {
    const require = createRequire(import.meta.url);
    // Its exports map has no ./package.json; locate the package via the glue file.
    const pkgDir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as Record<string, unknown> & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
      SchemaEngine: SchemaEngineClass;
    };
    const bytes = await readFile(path.join(pkgDir, 'schema_engine_bg.wasm'));
    const imports: Record<string, unknown> = { ...glue };
    // The engine arms a 10 s timer (a connection/statement timeout) and leaves
    // it pending, which kept short CLI runs alive for 10 s after finishing.
    // Unref'd timers still fire; they just do not hold the process open.
    for (const key of Object.keys(glue)) {
      if (key.startsWith('__wbg_setTimeout_')) {
        const original = glue[key] as (...args: unknown[]) => unknown;
        imports[key] = (...args: unknown[]) => {
          const handle = original(...args) as { unref?: () => void };
          handle?.unref?.();
          return handle;
        };
      }
    }
    const module = await WebAssembly.compile(bytes);
    const instance = await WebAssembly.instantiate(module, { './schema_engine_bg.js': imports as WebAssembly.ModuleImports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue.SchemaEngine;
  })();
  return cache[CACHE_KEY];
}
