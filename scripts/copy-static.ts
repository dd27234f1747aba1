// `npm run build`'s second step: tsc emits only JavaScript, and the playground serves its page from
// `static/` beside its module, so the page's files are copied next to the compiled module.
import { cpSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const from = path.join(root, "src", "platforms", "playground", "static");
const to = path.join(root, "dist", "platforms", "playground", "static");
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
