// Preloaded with `node --import` into a server under test: records every module file the process loads
// (ES modules through a resolve-and-load hook, CommonJS through Module._load) and, on SIGUSR2, writes the
// list to MODULE_TRACE_FILE, one URL or path a line. Only tests use it (test/start-memory.test.ts).
import { createRequire, register } from "node:module";
import { writeFileSync } from "node:fs";
import process from "node:process";
import { setTimeout } from "node:timers";
import { MessageChannel } from "node:worker_threads";

const loaded = new Set();
const { port1, port2 } = new MessageChannel();
port1.on("message", (url) => loaded.add(url));
port1.unref();
const hooks = `
let port;
export async function initialize(data) { port = data.port; }
export async function load(url, context, next) { port.postMessage(url); return next(url, context); }`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, import.meta.url, { data: { port: port2 }, transferList: [port2] });

const Module = createRequire(import.meta.url)("node:module");
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exported = load.apply(this, arguments);
  try {
    loaded.add(Module._resolveFilename(request, parent, isMain));
  } catch {
    // a built-in that resolves to nothing on disk
  }
  return exported;
};

process.on("SIGUSR2", () => {
  // The hook thread's messages may still be in flight: let the port deliver them first.
  setTimeout(() => writeFileSync(process.env.MODULE_TRACE_FILE, [...loaded].join("\n")), 50);
});
