import { createRequire } from "node:module";
import type * as Yaml from "yaml";

let loaded: typeof Yaml | null = null;

/**
 * The yaml library, required on first use: only configuration files (a playbook, funnelbot.yaml, a calendar)
 * are YAML, and a bot on a preset playbook with no such file never reads one.
 */
export function yaml(): typeof Yaml {
  loaded ??= createRequire(import.meta.url)("yaml") as typeof Yaml;
  return loaded;
}
