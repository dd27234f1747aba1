/**
 * The chart renderer's program as one plain JavaScript file: render-child.ts, the charts' modules and ECharts
 * (with zrender and tslib) bundled by esbuild, resvg's native module left to Node. Its process then runs with no
 * TypeScript loader (tsx's is 20–50 MB of RSS) and loads one module instead of ~290.
 * `npm run build` writes it over tsc's dist/charts/render-child.js (scripts/bundle-charts.ts); run from the
 * sources (`npm start`, vitest, the benchmarks), the renderer builds it on first use into node_modules/.cache
 * and reuses it while its sources and the lockfile are unchanged. esbuild is a development dependency (the
 * same version tsx runs on, so installed once); production never calls this.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const ENTRY = path.join(root, "src", "charts", "render-child.ts");
/** Under node_modules, so the bundle's bare imports (resvg) resolve to the project's packages. */
const CACHE = path.join(root, "node_modules", ".cache", "funnelbot-render-child");
/** The project's own files the last bundle was built from (paths relative to the root). */
const MANIFEST = path.join(CACHE, "inputs.json");

/** Bundles the renderer's program into `outfile` (an ES module; a source map beside it); returns the project files it read. */
export function bundleRenderChild(outfile: string): string[] {
  const esbuild = require("esbuild") as typeof import("esbuild");
  const { metafile } = esbuild.buildSync({
    entryPoints: [ENTRY], outfile, bundle: true, platform: "node", format: "esm", target: "node20",
    // Native code: loaded by Node from node_modules, never bundled.
    external: ["@resvg/resvg-js"],
    minify: true, sourcemap: true, metafile: true, logLevel: "error", absWorkingDir: root,
  });
  return Object.keys(metafile.inputs).filter((input) => !input.includes("node_modules/")).sort();
}

/** What a bundle of `inputs` is named by: their content, the lockfile (ECharts' version …) and esbuild's version. */
function keyOf(inputs: readonly string[]): string {
  const hash = createHash("sha256").update((require("esbuild/package.json") as { version: string }).version);
  for (const file of [...inputs, "package-lock.json"]) {
    const full = path.join(root, file);
    hash.update(`\0${file}\0`).update(existsSync(full) ? readFileSync(full) : "");
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * The cached bundle of the renderer's program, built (synchronously, ~0.5 s, once per change of its sources)
 * when missing; the bundles of older sources are removed then (a renderer running one has it loaded already).
 * Several processes may build at once: each into a directory of its own, the first to rename it into place wins
 * and the others use it.
 */
export function cachedRenderChild(): string {
  const last = existsSync(MANIFEST) ? (JSON.parse(readFileSync(MANIFEST, "utf8")) as string[]) : [path.relative(root, ENTRY)];
  const cached = path.join(CACHE, keyOf(last), "render-child.js");
  if (existsSync(cached)) return cached;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(path.join(CACHE, "build-"));
  try {
    // An ES module: its directory says so (under node_modules the project's package.json does not count).
    writeFileSync(path.join(tmp, "package.json"), JSON.stringify({ type: "module" }));
    const inputs = bundleRenderChild(path.join(tmp, "render-child.js"));
    const dir = path.join(CACHE, keyOf(inputs));
    try {
      renameSync(tmp, dir);
    } catch (error) {
      if (!existsSync(path.join(dir, "render-child.js"))) throw error;
    }
    const manifest = `${MANIFEST}.${randomUUID()}`;
    writeFileSync(manifest, JSON.stringify(inputs));
    renameSync(manifest, MANIFEST);
    for (const name of readdirSync(CACHE)) {
      if (/^[0-9a-f]{16}$/.test(name) && name !== path.basename(dir)) rmSync(path.join(CACHE, name), { recursive: true, force: true });
    }
    return path.join(dir, "render-child.js");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
