import { readFileSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { yaml } from "./yaml.js";
import { PlaybookSchema, type Playbook } from "../domain/playbook.js";
import { loadPreset, presetNames } from "../domain/presets/index.js";
import { ConfigError } from "./env.js";

function readStructured(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError(`Cannot read ${file}`);
  }
  try {
    return /\.json$/i.test(file) ? JSON.parse(text) : yaml().parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid ${/\.json$/i.test(file) ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`);
  }
}

function explain(file: string, error: z.ZodError): ConfigError {
  const lines = error.issues.slice(0, 20).map((issue) => `  ${issue.path.join(".") || "(top)"}: ${issue.message}`);
  return new ConfigError(`${file} is not a valid playbook:\n${lines.join("\n")}`);
}

/** Checks a playbook file (YAML or JSON) against the schema; every problem is listed with its path. */
export function readPlaybookFile(file: string): Playbook {
  const parsed = PlaybookSchema.safeParse(readStructured(file));
  if (!parsed.success) throw explain(file, parsed.error);
  return parsed.data;
}

/** FUNNEL_PLAYBOOK: a preset name (default `email-saas`) or the path of a YAML / JSON playbook. */
export function loadPlaybook(setting: string | undefined): Playbook {
  const name = setting?.trim() || "email-saas";
  const preset = loadPreset(name);
  if (preset) return preset;
  if (/\.(ya?ml|json)$/i.test(name)) return readPlaybookFile(path.resolve(name));
  throw new ConfigError(`FUNNEL_PLAYBOOK: "${name}" is neither a preset (${presetNames.join(", ")}) nor a .yaml/.json file`);
}
