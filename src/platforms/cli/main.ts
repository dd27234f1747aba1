import { ConfigError, loadEnv } from "../../config/env.js";
import { openContext } from "../../wiring.js";
import { runCli } from "./run-cli.js";

// The `funnelbot` command: `npx funnelbot lead accept 42 --as alice`.
let close: (() => Promise<void>) | null = null;
try {
  const code = await runCli(process.argv.slice(2), async () => {
    const opened = await openContext(loadEnv());
    close = opened.close;
    return opened.ctx;
  }, { out: (text) => console.log(text), err: (text) => console.error(text) });
  process.exitCode = code;
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `funnelbot failed: ${(error as Error).message}`);
  process.exitCode = error instanceof ConfigError ? 2 : 1;
} finally {
  await (close as (() => Promise<void>) | null)?.();
}
