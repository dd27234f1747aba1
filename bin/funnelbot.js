#!/usr/bin/env node
// The `funnelbot` command. In a checkout it runs the TypeScript CLI through tsx, so `npx funnelbot …` works
// on a fresh clone with no build step; where the sources or tsx are absent (the container image, an
// `npm ci --omit=dev` install) it runs the build output of `npm run build` with plain node.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const source = path.join(root, "src/platforms/cli/main.ts");
let tsx = null;
try {
  tsx = createRequire(import.meta.url).resolve("tsx/cli");
} catch {
  // Production install: no dev dependencies.
}
const args = tsx && existsSync(source) ? [tsx, source] : [path.join(root, "dist/platforms/cli/main.js")];
const result = spawnSync(process.execPath, [...args, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status ?? 1);
