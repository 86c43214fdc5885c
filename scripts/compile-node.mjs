/* global process, console */
// Compiles a Node entry point (the web app's custom server, the worker) and the
// workspace packages it imports into one ES module, so production runs plain
// `node` instead of compiling TypeScript at every start (tsx).
//
//   node scripts/compile-node.mjs apps/worker/src/main.ts apps/worker/dist/main.js
//
// Packages from node_modules stay imports (native addons, Next, Prisma's
// runtime): only our own TypeScript (relative files and @genos/*) is bundled.
// import.meta.url/dirname/filename keep their source file's values, so a file
// that finds its neighbours (docker/desktop-base, Prisma's generated client)
// finds them from the bundle as from the source.
import path from 'node:path';
import fs from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  console.error('usage: node scripts/compile-node.mjs ENTRY.ts OUT.js');
  process.exit(2);
}

const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      // JSON data files are bundled too: Node would want an import attribute for them.
      if (args.path.startsWith('@genos/') || args.path.startsWith('node:') || args.path.endsWith('.json')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

const sourceImportMeta = {
  name: 'source-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.(ts|tsx|mts)$/ }, async (args) => {
      let contents = await fs.readFile(args.path, 'utf8');
      if (contents.includes('import.meta.')) {
        contents = contents
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path));
      }
      return { contents, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

const started = Date.now();
await esbuild.build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Top-level await and ESM-only packages need ESM; CommonJS packages stay external, so no require shim is needed.
  banner: { js: "import { createRequire as __genosCreateRequire } from 'node:module'; const require = __genosCreateRequire(import.meta.url);" },
  plugins: [externalPackages, sourceImportMeta],
  logLevel: 'warning',
});
console.log(`[compile] ${entry} -> ${outfile} in ${Date.now() - started} ms`);
