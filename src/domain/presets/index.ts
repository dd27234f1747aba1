import { PlaybookSchema, type Playbook, type PlaybookInput } from "../playbook.js";
import { aftership } from "./aftership.js";
import { classicFunnel } from "./classic-funnel.js";
import { directSales } from "./direct-sales.js";
import { emailSaas } from "./email-saas.js";
import { manufacturer } from "./manufacturer.js";

/** The built-in playbooks, selectable by name; `email-saas` is the default. */
export const PRESETS: Readonly<Record<string, PlaybookInput>> = {
  "email-saas": emailSaas,
  aftership,
  manufacturer,
  "direct-sales": directSales,
  "classic-funnel": classicFunnel,
};

/** Preset names, the default first. An array, not a function: callers join it and iterate it. */
export const presetNames: readonly string[] = Object.keys(PRESETS);

const parsed = new Map<string, Playbook>();

/** The preset with this name, validated (once) and with defaults filled in; undefined for an unknown name. */
export function loadPreset(name: string): Playbook | undefined {
  if (!Object.hasOwn(PRESETS, name)) return undefined;
  let playbook = parsed.get(name);
  if (!playbook) {
    playbook = PlaybookSchema.parse(PRESETS[name]);
    parsed.set(name, playbook);
  }
  return playbook;
}
