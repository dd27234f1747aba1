import { readFileSync } from "node:fs";
import { z } from "zod";
import { ROLES } from "../domain/account.js";
import { yaml } from "./yaml.js";
import { ConfigError } from "./env.js";

const HANDLE = /^[a-z0-9][a-z0-9._-]{0,39}$/;
const TEAM_KEY = /^[a-z][a-z0-9-]{0,47}$/;
const Locale = z.enum(["en", "zh-CN"]);
const Id = z.string().trim().min(1).max(200);

/** A team as the file declares it: where its messages go, its language, calendar and timezone. */
const TeamSchema = z.strictObject({
  key: z.string().regex(TEAM_KEY, "a team key is lower-case letters, digits and - (e.g. sales)"),
  name: z.string().trim().min(1).max(100),
  locale: Locale.default("en"),
  slack: z.strictObject({ channel: Id }).optional(),
  wecom: z.strictObject({ chat: Id.optional(), robot: Id.optional() }).optional(),
  calendar: z.string().trim().min(1).optional(),
  timezone: z.string().trim().min(1).optional(),
});

/** A member as the file declares them: a handle, and an email and/or platform ids to know them by. */
const MemberSchema = z.strictObject({
  handle: z.string().regex(HANDLE, "a handle is lower-case letters, digits, . _ - (e.g. alice)"),
  name: z.string().trim().min(1).max(100),
  email: z.email().transform((e) => e.toLowerCase()).optional(),
  slack: Id.optional(),
  wecom: Id.optional(),
  team: z.string().min(1),
  role: z.enum(ROLES as unknown as ["rep", "manager", "admin"]).default("rep"),
  locale: Locale.default("en"),
  region: z.string().trim().min(1).optional(),
});

/** `funnelbot.yaml`: the teams, the members and (by name or file) the playbook, declared in one place. */
export const FunnelConfigSchema = z.strictObject({
  playbook: z.string().trim().min(1).optional(),
  teams: z.array(TeamSchema).default([]),
  members: z.array(MemberSchema).default([]),
}).superRefine((config, ctx) => {
  const seen = (what: string, list: readonly (string | undefined)[], path: (i: number) => (string | number)[]) => {
    const first = new Map<string, number>();
    list.forEach((value, i) => {
      if (value === undefined) return;
      if (first.has(value)) ctx.addIssue({ code: "custom", message: `${what} ${value} is declared twice (first at item ${first.get(value)! + 1})`, path: path(i) });
      else first.set(value, i);
    });
  };
  seen("team", config.teams.map((t) => t.key), (i) => ["teams", i, "key"]);
  seen("member", config.members.map((m) => m.handle), (i) => ["members", i, "handle"]);
  seen("email", config.members.map((m) => m.email), (i) => ["members", i, "email"]);
  seen("slack id", config.members.map((m) => m.slack), (i) => ["members", i, "slack"]);
  seen("wecom id", config.members.map((m) => m.wecom), (i) => ["members", i, "wecom"]);
});
/** A validated `funnelbot.yaml`. */
export type FunnelConfig = z.infer<typeof FunnelConfigSchema>;

/** A config file, validated, and where each of its values sits, so later checks name the line too. */
export interface LoadedConfig {
  readonly file: string;
  readonly config: FunnelConfig;
  /** `file:line` of the value at a path (`["members", 3, "team"]`), or the file alone. */
  at(path: readonly (string | number)[]): string;
}

/**
 * Reads and checks `funnelbot.yaml` (YAML or JSON). Every problem names the file, its line and the value,
 * e.g. `funnelbot.yaml:12: members.2.team: …`; a member of a team neither the file nor the database has is
 * checked when applying, with its line too.
 */
export function readFunnelConfig(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError(`Cannot read the configuration file ${file} (FUNNEL_CONFIG)`);
  }
  const { LineCounter, isNode, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    throw new ConfigError(`${file}:${lineCounter.linePos(error.pos[0]).line}: not valid YAML/JSON: ${error.message.split("\n")[0]}`);
  }
  const at = (path: readonly (string | number)[]): string => {
    const node = doc.getIn(path, true);
    return isNode(node) && node.range ? `${file}:${lineCounter.linePos(node.range[0]).line}` : file;
  };
  const parsed = FunnelConfigSchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return { file, config: parsed.data, at };
  const lines = parsed.error.issues.slice(0, 20).map((issue) => {
    const keys = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const unknown = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
    const path = unknown === undefined ? keys : [...keys, unknown];
    const node = doc.getIn(path, true);
    const value = unknown === undefined && isNode(node) && keys.length > 0 ? ` (${JSON.stringify(node.toJSON())})` : "";
    return `  ${at(path)}: ${path.join(".") || "(top)"}: ${issue.message}${value}`;
  });
  throw new ConfigError(`${file} is not a valid configuration:\n${lines.join("\n")}`);
}
