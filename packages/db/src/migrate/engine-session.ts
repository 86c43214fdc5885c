// Runs one piece of work with a schema engine connected to `url`, and always
// cleans up: frees the wasm engine and closes every pool it opened (including
// shadow databases), so callers' processes can exit promptly.
import { bindMigrationAwareSqlAdapterFactory, type ErrorRegistry } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { lastWasmPanic, loadSchemaEngineClass } from './load-engine.ts';
import { createMigrationAdapterFactory } from './migration-adapter.ts';

export interface SchemaFile {
  path: string;
  content: string;
}

export async function withSchemaEngine<T>(
  url: string,
  schema: SchemaFile | undefined,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const SchemaEngineClass = await loadSchemaEngineClass();
  const factory = createMigrationAdapterFactory(url);
  // The engine expects every adapter call to return a Result instead of
  // throwing; bind* wraps the factory accordingly and keeps JS errors in a
  // registry we can look up afterwards.
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const debug = process.env.GENOS_MIGRATE_DEBUG ? (m: string) => console.error(`[schema-engine] ${m}`) : () => {};
  let engine: SchemaEngine | undefined;
  try {
    engine = await SchemaEngineClass.new(
      { datamodels: schema ? [[schema.path, schema.content]] : undefined },
      debug,
      bound,
    );
    return await work(engine);
  } catch (error) {
    throw explainEngineError(error, bound.errorRegistry);
  } finally {
    engine?.free();
    await factory.closeAll();
  }
}

/** Turn what the engine throws into an Error that says what happened. */
function explainEngineError(error: unknown, registry: ErrorRegistry): Error {
  if (!(error instanceof Error)) return new Error(`schema engine failed: ${JSON.stringify(error)}`);
  // A JS exception inside the adapter reaches us as a reference into the registry.
  const match = /External error id#(\d+)/.exec(error.message);
  if (match) {
    const original = registry.consumeError(Number(match[1]))?.error;
    if (original instanceof Error) return original;
  }
  if (error.name === 'RuntimeError' || /unreachable/.test(error.message)) {
    const panic = lastWasmPanic();
    if (panic) return new Error(`schema engine panicked: ${panic}`, { cause: error });
  }
  return error;
}
