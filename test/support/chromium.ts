import { accessSync, constants } from "node:fs";
import path from "node:path";

/**
 * The Chromium to drive with playwright-core: CHROMIUM_PATH when set, else `chromium` or
 * `chromium-browser` on PATH (Debian's package installs /usr/bin/chromium). Null when there is none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env.CHROMIUM_PATH?.trim();
  if (given) return executable(given) ? given : null;
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    for (const name of ["chromium", "chromium-browser"]) {
      const candidate = path.join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return null;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Launch flags for headless Chromium here: root needs --no-sandbox; nothing may reach the network. */
export function chromiumArgs(): string[] {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  return [...(root ? ["--no-sandbox"] : []), "--disable-gpu", "--disable-background-networking", "--no-first-run"];
}
