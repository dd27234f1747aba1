import { z } from "zod";
import { BANT_FIELDS, type BantField } from "../domain/bant.js";
import { err, ok, type Result } from "../domain/errors.js";
import { parseAmount, parseDay } from "../domain/values.js";
import type { AccountRef, Command, HelpTopic } from "./command.js";
import { ACCESS_WORDS, ADD_WORDS, BANT_WORDS, GROUP_WORDS, HELP_WORDS as HELP, OUTCOME_WORDS, ROLE_WORDS, USAGE, VERB_WORDS, usageLine, type VerbWords, type Words } from "./vocabulary.js";

/** The longest line we read; anything longer is refused before it is tokenized. */
export const MAX_INPUT_LENGTH = 2000;
/** The longest single value (company, reason, note, member, answer …) a command may carry. */
export const MAX_TEXT_LENGTH = 500;

export { USAGE };

/**
 * Reads one line of the command language — `/lead accept 42`, `lead accept 42`, `接受 #42` — into a command.
 * Never throws: whatever the string, the answer is a command or a `usage` / `invalid-*` refusal.
 */
export function parseCommand(text: string): Result<Command> {
  const input = typeof text === "string" ? text : "";
  if (input.length > MAX_INPUT_LENGTH) return err("invalid-text", { max: MAX_INPUT_LENGTH });
  try {
    const tokens = tokenize(cleanText(input));
    return tokens.ok ? dispatch(tokens.value) : tokens;
  } catch {
    // Belt and braces for the promise above: a parser bug becomes a usage hint, not a crashed listener.
    return err("usage", { usage: USAGE.help });
  }
}

/** Strips control, zero-width and bidi characters and lone surrogates, normalizes to NFC and trims. */
export function cleanText(text: string): string {
  return text
    .replace(/[\t\n\v\f\r\u0085\u2028\u2029]/g, " ")
    .replace(/[\p{Cc}\p{Cf}\p{Cs}]/gu, "")
    .normalize("NFC")
    .trim();
}

// ── Tokens ───────────────────────────────────────────────────────────────────────────────────────────

/** One word as typed, quotes removed; `quoted` when it began with a quote, so it is never a flag. */
interface Token {
  readonly text: string;
  readonly quoted: boolean;
}

/**
 * A word looked up in one of the tables below, own entries only: a plain object also answers to `constructor`,
 * `valueOf` and `__proto__`, which must read as unknown words, never as the Object built-ins.
 */
function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

const QUOTES: Readonly<Record<string, string>> = { '"': '"', "＂": "＂", "“": "”", "「": "」", "『": "』" };

/** Splits on any whitespace; quotes group words and may start mid-word (`dm="Li Wei"`); an unclosed quote runs to the end. */
function tokenize(text: string): Result<Token[]> {
  const tokens: Token[] = [];
  let current: string | null = null;
  let quoted = false;
  let close: string | null = null;
  for (const char of text) {
    if (close !== null) {
      if (char === close) close = null;
      else current += char;
    } else if (/\s/u.test(char)) {
      if (current !== null) tokens.push({ text: current, quoted });
      current = null;
    } else if (lookup(QUOTES, char) !== undefined) {
      if (current === null) [current, quoted] = ["", true];
      close = lookup(QUOTES, char)!;
    } else {
      if (current === null) [current, quoted] = ["", false];
      current += char;
    }
  }
  if (current !== null) tokens.push({ text: current, quoted });
  return tokens.some((t) => t.text.length > MAX_TEXT_LENGTH) ? err("invalid-text", { max: MAX_TEXT_LENGTH }) : ok(tokens);
}

/** How a command word, flag name or key is compared: compatibility-folded (full-width → ASCII) and lower case. */
function keyword(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

/** Every word of a table of words, folded as typed words are, to its key. */
function wordMap<K extends string>(table: Readonly<Record<K, Words>>): ReadonlyMap<string, K> {
  return new Map(Object.entries<Words>(table).flatMap(([key, w]) => [w.en, w.zh, ...w.aliases].map((word) => [keyword(word), key as K] as const)));
}

// ── Flags ────────────────────────────────────────────────────────────────────────────────────────────

type FlagName = "email" | "domain" | "source" | "amount" | "region" | "industry" | "confirm" | "override" | "expand" | "new";

const FLAG_NAMES: Readonly<Record<string, FlagName>> = {
  email: "email", 邮箱: "email", domain: "domain", 域名: "domain", source: "source", 来源: "source", amount: "amount", 金额: "amount",
  region: "region", 地区: "region", industry: "industry", 行业: "industry", confirm: "confirm", 确认: "confirm",
  override: "override", 跳过: "override", expand: "expand", 扩容: "expand", 增购: "expand", new: "new", force: "new", 仍然新建: "new",
};
/** Flags that take no value. */
const SWITCHES: ReadonlySet<FlagName> = new Set(["expand", "new"]);
/** Flags whose value is free text: they take every word up to the next flag, so quotes are optional. */
const GREEDY: ReadonlySet<FlagName> = new Set(["override"]);

interface Parts {
  readonly words: readonly string[];
  readonly flags: ReadonlyMap<FlagName, readonly string[]>;
}

/** `--name`, `--name=value` (also `—name`, as phones and Macs turn `--` into a dash); null for any other word. */
function flagOf(token: Token): { name: string; value: string | null } | null {
  if (token.quoted) return null;
  const match = /^(?:--|－－|—|–)([^=＝\s]+)(?:[=＝]([\s\S]*))?$/u.exec(token.text);
  return match ? { name: keyword(match[1]!), value: match[2] ?? null } : null;
}

/** Separates positional words from the flags a verb allows; any other flag is a usage error. */
function splitFlags(args: readonly Token[], allowed: readonly FlagName[], usage: string): Result<Parts> {
  const words: string[] = [];
  const flags = new Map<FlagName, string[]>();
  for (let i = 0; i < args.length; i++) {
    const flag = flagOf(args[i]!);
    if (!flag) {
      words.push(args[i]!.text);
      continue;
    }
    const name = lookup(FLAG_NAMES, flag.name);
    if (!name || !allowed.includes(name)) return usageError(usage);
    let value = "";
    if (SWITCHES.has(name)) {
      if (flag.value !== null) return usageError(usage);
    } else {
      const taken = flag.value === null ? [] : [flag.value];
      while (i + 1 < args.length && !flagOf(args[i + 1]!) && (taken.length === 0 || GREEDY.has(name))) taken.push(args[++i]!.text);
      const text = requiredText(taken, usage);
      if (!text.ok) return text;
      value = text.value;
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return ok({ words, flags });
}

function lastFlag(parts: Parts, name: FlagName): string | null {
  return parts.flags.get(name)?.at(-1) ?? null;
}

// ── Values ───────────────────────────────────────────────────────────────────────────────────────────

function usageError(usage: string): Result<never> {
  return err("usage", { usage });
}

/** Words joined by one space and trimmed; refused when longer than a stored value may be. */
function freeText(words: readonly string[]): Result<string> {
  const text = words.join(" ").trim();
  return text.length > MAX_TEXT_LENGTH ? err("invalid-text", { max: MAX_TEXT_LENGTH }) : ok(text);
}

/** Free text that must be there. */
function requiredText(words: readonly string[], usage: string): Result<string> {
  const text = freeText(words);
  return text.ok && text.value === "" ? usageError(usage) : text;
}

/** A positive safe integer written `42`, `#42` or `＃４２`, or null. */
function idOf(word: string): number | null | "invalid" {
  const match = /^#?(\d+)$/.exec(keyword(word.trim()));
  if (!match) return null;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : "invalid";
}

function accountRef(word: string | undefined, usage: string): Result<AccountRef> {
  const text = word?.trim() ?? "";
  if (text === "") return usageError(usage);
  const id = idOf(text);
  if (id === "invalid") return usageError(usage);
  return ok(id === null ? { kind: "name", text } : { kind: "id", id });
}

function amountOf(text: string): Result<number> {
  const amount = parseAmount(text);
  return amount === null ? err("invalid-amount", { text }) : ok(amount);
}

// ── BANT answers ─────────────────────────────────────────────────────────────────────────────────────

const BANT_KEYS = wordMap(BANT_WORDS);

/** `key=value`, `key＝value`, `key：value`, or `key:value` when the key is known (so `http://…` stays a word). */
function pairOf(text: string): { key: string; value: string } | null {
  const sep = text.search(/[=＝：]/);
  const colon = text.indexOf(":");
  const at = colon >= 0 && (sep < 0 || colon < sep) && BANT_KEYS.has(keyword(text.slice(0, colon))) ? colon : sep;
  return at < 0 ? null : { key: text.slice(0, at), value: text.slice(at + 1) };
}

/** The answers of `/lead qualify`; a word without `=` continues the previous answer (`need=bulk email`). */
function bantAnswers(tokens: readonly Token[], usage: string): Result<Record<string, string>> {
  const answers: Record<string, string> = {};
  let last: BantField | null = null;
  for (const token of tokens) {
    const pair = pairOf(token.text);
    if (pair === null) {
      if (last === null) return usageError(usage);
      answers[last] = `${answers[last] ?? ""} ${token.text}`.trim();
      continue;
    }
    const field = BANT_KEYS.get(keyword(pair.key.trim()));
    if (!field) {
      const suggestions = closest(keyword(pair.key), BANT_FIELDS.map((f) => ({ key: f, display: `${f}=`, group: null })), null);
      return err("usage", { usage, unknown: pair.key, suggestions });
    }
    answers[field] = pair.value.trim();
    last = field;
  }
  for (const value of Object.values(answers)) if (value.length > MAX_TEXT_LENGTH) return err("invalid-text", { max: MAX_TEXT_LENGTH });
  return ok(answers);
}

// ── Verbs ────────────────────────────────────────────────────────────────────────────────────────────

type Group = HelpTopic;
type Build = (args: readonly Token[], usage: string) => Result<Command>;

/** One verb of the language: where it lives, what it is called in both languages and how its arguments read. */
interface VerbSpec {
  readonly group: Group;
  /** The English word, used in suggestions. */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly usage: string;
  readonly build: Build;
  /** False when the word alone, without its group, would be ambiguous. */
  readonly bare?: false;
}

type OnlyAccount = "lead.accept" | "lead.show" | "account.show" | "lead.recycle" | "lead.claim" | "account.recall" | "account.archive";
type Reasoned = "lead.return" | "lead.unqualified" | "lead.lost" | "account.churn";

/** Parses positionals (and allowed flags), checking there are between `min` and `max` words. */
function positional(args: readonly Token[], usage: string, min: number, max: number, allowed: readonly FlagName[] = []): Result<Parts> {
  const parts = splitFlags(args, allowed, usage);
  if (!parts.ok) return parts;
  return parts.value.words.length < min || parts.value.words.length > max ? usageError(usage) : parts;
}

/** `<account>` and nothing else. */
function onlyAccount(verb: OnlyAccount): Build {
  return (args, usage) => {
    const parts = positional(args, usage, 1, 1);
    if (!parts.ok) return parts;
    const account = accountRef(parts.value.words[0], usage);
    return account.ok ? ok({ verb, account: account.value }) : account;
  };
}

/**
 * `<account> [reason…]`: every word after the account, as typed, is the reason. Without one the command
 * still parses with an empty reason, and the bot answers with the playbook's list to pick from.
 */
function reasoned(verb: Reasoned): Build {
  return (args, usage) => {
    const [first, ...rest] = args;
    if (!first || flagOf(first)) return usageError(usage);
    const account = accountRef(first.text, usage);
    if (!account.ok) return account;
    const reason = freeText(rest.map((t) => t.text));
    return reason.ok ? ok({ verb, account: account.value, reason: { text: reason.value } }) : reason;
  };
}

function noArgs(verb: "lead.mine" | "lead.pool" | "lead.import" | "account.tasks"): Build {
  return (args, usage) => (args.length > 0 ? usageError(usage) : ok({ verb }));
}

function funnel(verb: "funnel.show" | "funnel.digest"): Build {
  return (args, usage) => {
    const parts = positional(args, usage, 0, verb === "funnel.show" ? 2 : 1);
    if (!parts.ok) return parts;
    if (verb === "funnel.digest") return ok({ verb, team: parts.value.words[0]?.trim() || null });
    // `/funnel sales 90d`, `/funnel 2026-Q3`: a word that starts with a digit is the window, any other the team.
    const words = parts.value.words.map((w) => w.trim()).filter(Boolean);
    const windows = words.filter((w) => /^\d/.test(w));
    const teams = words.filter((w) => !/^\d/.test(w));
    if (windows.length > 1 || teams.length > 1) return usageError(usage);
    return ok({ verb, team: teams[0] ?? null, window: windows[0] ?? null });
  };
}

// The same rules as the lead webhook's (services/lead-intake.ts): zod's email check, and a domain like example.com.
const EmailSchema = z.email().max(254);
const DomainSchema = z.string().max(253).regex(/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/);

/** `<channel> <YYYY-MM> <amount>`: the month is checked against today by the service. */
const spend: Build = (args, usage) => {
  const parts = positional(args, usage, 3, 3);
  if (!parts.ok) return parts;
  const [channel, month, amountText] = parts.value.words.map((w) => w.trim()) as [string, string, string];
  if (!/^\d{4}-\d{1,2}$/.test(month)) return err("invalid-month", { text: month });
  const amount = amountOf(amountText);
  return amount.ok ? ok({ verb: "funnel.spend", channel, month, amount: amount.value }) : amount;
};

/** `[team] [weeks]`: a number is the weeks of the trend (4 to 26), any other word the team. */
const chart: Build = (args, usage) => {
  const parts = positional(args, usage, 0, 2);
  if (!parts.ok) return parts;
  const words = parts.value.words.map((w) => w.trim()).filter(Boolean);
  const numbers = words.filter((w) => /^\d+$/.test(w));
  const teams = words.filter((w) => !/^\d+$/.test(w));
  const weeks = numbers[0] === undefined ? null : Number(numbers[0]);
  if (numbers.length > 1 || teams.length > 1 || (weeks !== null && (weeks < 4 || weeks > 26))) return usageError(usage);
  return ok({ verb: "funnel.chart", team: teams[0] ?? null, weeks });
};

const newLead: Build = (args, usage) => {
  const parts = splitFlags(args, ["email", "domain", "source", "amount", "region", "industry", "new"], usage);
  if (!parts.ok) return parts;
  const company = requiredText(parts.value.words, usage);
  if (!company.ok) return company;
  const amountText = lastFlag(parts.value, "amount");
  const amount = amountText === null ? null : amountOf(amountText);
  if (amount && !amount.ok) return amount;
  const flag = (name: FlagName) => lastFlag(parts.value, name);
  const email = flag("email");
  if (email !== null && !EmailSchema.safeParse(email.trim()).success) return err("invalid-email", { text: email });
  const domain = flag("domain");
  if (domain !== null && !DomainSchema.safeParse(domain.trim().toLowerCase().replace(/^www\./, "")).success) return err("invalid-domain", { text: domain });
  return ok({
    verb: "lead.new",
    lead: {
      company: company.value, email: email?.trim() ?? null, domain: domain?.trim() ?? null, source: flag("source"),
      amount: amount ? amount.value : null, region: flag("region"), industry: flag("industry"), ...(parts.value.flags.has("new") ? { force: true } : {}),
    },
  });
};

const qualify: Build = (args, usage) => {
  const [first, ...rest] = args;
  if (!first || flagOf(first)) return usageError(usage);
  const account = accountRef(first.text, usage);
  if (!account.ok) return account;
  if (rest.length === 0) return ok({ verb: "lead.qualify", account: account.value, answers: null });
  const answers = bantAnswers(rest, usage);
  return answers.ok ? ok({ verb: "lead.qualify", account: account.value, answers: answers.value }) : answers;
};

const OUTCOMES = wordMap(OUTCOME_WORDS);

const validate: Build = (args, usage) => {
  const parts = positional(args, usage, 1, 2);
  if (!parts.ok) return parts;
  const [ref, outcomeWord] = parts.value.words;
  const account = accountRef(ref, usage);
  if (!account.ok) return account;
  const outcome = outcomeWord === undefined ? "start" : OUTCOMES.get(keyword(outcomeWord));
  return outcome ? ok({ verb: "account.validate", account: account.value, outcome }) : usageError(usage);
};

const sign: Build = (args, usage) => {
  const parts = positional(args, usage, 1, 2);
  if (!parts.ok) return parts;
  const [ref, amountText] = parts.value.words;
  const account = accountRef(ref, usage);
  if (!account.ok) return account;
  const amount = amountText === undefined ? null : amountOf(amountText);
  if (amount && !amount.ok) return amount;
  return ok({ verb: "account.sign", account: account.value, amount: amount ? amount.value : null });
};

/** `--confirm all`, `--confirm a,b` (also `，`/`、`, or the flag repeated); `all`/`全部` anywhere means every one. */
function confirmOf(values: readonly string[] | undefined): readonly string[] | "all" | null {
  if (!values) return null;
  const keys = values.flatMap((v) => v.split(/[,，、\s]+/u)).map((k) => k.trim()).filter((k) => k !== "");
  return keys.some((k) => ["all", "全部"].includes(keyword(k))) ? "all" : [...new Set(keys)];
}

/** `<account> [stage] [--confirm …] [--override …]`: a move gated by the stage's checklist. */
function gated(verb: "lead.handoff" | "account.advance"): Build {
  const maxWords = verb === "account.advance" ? 2 : 1;
  return (args, usage) => {
    const parts = positional(args, usage, 1, maxWords, ["confirm", "override"]);
    if (!parts.ok) return parts;
    const [ref, stage] = parts.value.words;
    const account = accountRef(ref, usage);
    if (!account.ok) return account;
    const confirm = confirmOf(parts.value.flags.get("confirm"));
    if (Array.isArray(confirm) && confirm.length === 0) return usageError(usage);
    const override = lastFlag(parts.value, "override");
    return verb === "lead.handoff"
      ? ok({ verb, account: account.value, confirm, override })
      : ok({ verb, account: account.value, to: stage?.trim() || null, confirm, override });
  };
}

function renew(fixed: "renewal" | "expansion" | null): Build {
  return (args, usage) => {
    const parts = positional(args, usage, 2, 2, ["expand"]);
    if (!parts.ok) return parts;
    const [ref, amountText] = parts.value.words;
    const account = accountRef(ref, usage);
    if (!account.ok) return account;
    const amount = amountOf(amountText!);
    if (!amount.ok) return amount;
    const kind = fixed ?? (parts.value.flags.has("expand") ? "expansion" : "renewal");
    return ok({ verb: "account.renew", account: account.value, amount: amount.value, kind });
  };
}

const reassign: Build = (args, usage) => {
  const parts = positional(args, usage, 1, 2);
  if (!parts.ok) return parts;
  const [ref, member] = parts.value.words;
  const account = accountRef(ref, usage);
  if (!account.ok) return account;
  if (member === undefined) return ok({ verb: "account.reassign", account: account.value, member: null });
  const name = requiredText([member], usage);
  return name.ok ? ok({ verb: "account.reassign", account: account.value, member: name.value }) : name;
};

const nudge: Build = (args, usage) => {
  const parts = positional(args, usage, 1, 1);
  if (!parts.ok) return parts;
  const account = accountRef(parts.value.words[0], usage);
  return account.ok ? ok({ verb: "account.nudge", account: account.value }) : account;
};

const nextStep: Build = (args, usage) => {
  const [first, dateToken, ...note] = args;
  if (first && !dateToken && !flagOf(first)) {
    // The account alone (a [Next step] button) asks for the form.
    const account = accountRef(first.text, usage);
    return account.ok ? ok({ verb: "account.next", account: account.value, date: null, note: null }) : account;
  }
  if (!first || !dateToken || note.length === 0 || flagOf(first)) return usageError(usage);
  const account = accountRef(first.text, usage);
  if (!account.ok) return account;
  const date = parseDay(keyword(dateToken.text));
  if (date === null) return err("invalid-date", { text: dateToken.text });
  const text = requiredText(note.map((t) => t.text), usage);
  return text.ok ? ok({ verb: "account.next", account: account.value, date, note: text.value }) : text;
};

const done: Build = (args, usage) => {
  const parts = positional(args, usage, 1, 1);
  if (!parts.ok) return parts;
  const task = idOf(parts.value.words[0]!);
  return typeof task === "number" ? ok({ verb: "account.done", task }) : usageError(usage);
};

const ROLES = wordMap(ROLE_WORDS);
const ADD = new Set([ADD_WORDS.en, ADD_WORDS.zh, ...ADD_WORDS.aliases].map(keyword));

/** `member add <who> <team> <role>`: `who` is a Slack mention as Slack escapes it, or a handle. */
const memberAdd: Build = (args, usage) => {
  const parts = positional(args, usage, 4, 4);
  if (!parts.ok) return parts;
  const [action, who, team, role] = parts.value.words as [string, string, string, string];
  if (!ADD.has(keyword(action))) return usageError(usage);
  const mapped = ROLES.get(keyword(role));
  if (!mapped) return usageError(usage);
  const name = requiredText([who], usage);
  return name.ok ? ok({ verb: "funnel.member", who: name.value, team: keyword(team), role: mapped }) : name;
};

const ACCESS = wordMap(ACCESS_WORDS);

/** `access grant <request> <team> [role]` or `access ignore <request>`: the words an admin's card buttons carry. */
const access: Build = (args, usage) => {
  const parts = positional(args, usage, 2, 4);
  if (!parts.ok) return parts;
  const [action = "", id = "", team, role] = parts.value.words;
  const decision = ACCESS.get(keyword(action));
  const request = idOf(id);
  if (!decision || typeof request !== "number") return usageError(usage);
  if (decision === "ignore") return team === undefined ? ok({ verb: "funnel.access", decision, request }) : usageError(usage);
  if (team === undefined) return usageError(usage);
  const mapped = role === undefined ? "rep" : ROLES.get(keyword(role));
  return mapped ? ok({ verb: "funnel.access", decision, request, team: keyword(team), role: mapped }) : usageError(usage);
};

/** How each verb of the vocabulary reads its arguments. */
const BUILDERS: Readonly<Record<string, Build>> = {
  "lead new": newLead, "lead handoff": gated("lead.handoff"), "lead accept": onlyAccount("lead.accept"),
  "lead return": reasoned("lead.return"), "lead unqualified": reasoned("lead.unqualified"), "lead qualify": qualify,
  "lead show": onlyAccount("lead.show"), "lead mine": noArgs("lead.mine"), "lead lost": reasoned("lead.lost"),
  "lead recycle": onlyAccount("lead.recycle"), "lead claim": onlyAccount("lead.claim"), "lead pool": noArgs("lead.pool"),
  "lead import": noArgs("lead.import"), "account show": onlyAccount("account.show"), "account validate": validate, "account sign": sign, "account advance": gated("account.advance"),
  "account churn": reasoned("account.churn"), "account recall": onlyAccount("account.recall"), "account archive": onlyAccount("account.archive"),
  "account renew": renew(null), "account expand": renew("expansion"), "account reassign": reassign, "account nudge": nudge, "account next": nextStep,
  "account mine": noArgs("lead.mine"), "account tasks": noArgs("account.tasks"), "account done": done, "funnel show": funnel("funnel.show"),
  "funnel digest": funnel("funnel.digest"), "funnel member": memberAdd, "funnel access": access,
  "funnel spend": spend, "funnel chart": chart,
};

function spec(words: VerbWords): VerbSpec {
  const build = BUILDERS[`${words.group} ${words.en}`];
  if (!build) throw new Error(`No parser for ${words.group} ${words.en}`);
  return { group: words.group, name: words.en, aliases: [words.zh, ...words.aliases], usage: usageLine(words, "en"), build, ...(words.bare === false ? { bare: false as const } : {}) };
}

const SPECS: readonly VerbSpec[] = VERB_WORDS.map(spec);

const GROUPS: Readonly<Record<string, Group>> = Object.fromEntries(
  Object.entries(GROUP_WORDS).flatMap(([group, w]) => [w.en, w.zh, ...w.aliases].map((word) => [word, group as Group])),
);
const HELP_WORDS: ReadonlySet<string> = new Set([HELP.en, HELP.zh, ...HELP.aliases]);
const FUNNEL_SHOW = SPECS.find((s) => s.group === "funnel" && s.name === "show")!;

const wordsOf = (s: VerbSpec) => [s.name, ...s.aliases].map(keyword);
const IN_GROUP = new Map(SPECS.flatMap((s) => wordsOf(s).map((w) => [`${s.group} ${w}`, s] as const)));
const BARE = new Map(SPECS.filter((s) => s.bare !== false).flatMap((s) => wordsOf(s).map((w) => [w, s] as const)));

// ── Dispatch ─────────────────────────────────────────────────────────────────────────────────────────

function dispatch(all: readonly Token[]): Result<Command> {
  const tokens = [...all];
  const slashless = (tokens[0]?.text ?? "").replace(/^[/／]+/, "");
  if (slashless === "") tokens.shift();
  else tokens[0] = { text: slashless, quoted: tokens[0]!.quoted };
  const [head, ...rest] = tokens;
  if (!head) return ok({ verb: "help", topic: null });

  const word = keyword(head.text);
  // Own keys only: `__proto__` or `constructor` typed as a word must not find Object.prototype's members.
  const groupOf = (w: string): Group | null => (Object.hasOwn(GROUPS, w) ? GROUPS[w]! : null);
  const group = groupOf(word);
  if (group) return inGroup(group, rest);
  if (HELP_WORDS.has(word)) return ok({ verb: "help", topic: groupOf(keyword(rest[0]?.text ?? "")) });
  const bare = BARE.get(word);
  if (bare) return bare.build(rest, bare.usage);
  const split = splitPrefix(head.text, [...Object.keys(GROUPS), ...HELP_WORDS, ...BARE.keys()]);
  if (split) return dispatch([...split, ...rest]);
  // A mistyped group followed by a real verb of that group suggests the whole command (`/lead accept`).
  const verbAfter = (group: Group) => IN_GROUP.get(`${group} ${keyword(rest[0]?.text ?? "")}`);
  const candidates = CANDIDATES.map((c) => (c.display === `/${c.group}` && c.group && verbAfter(c.group) ? { ...c, display: `/${c.group} ${verbAfter(c.group)!.name}` } : c));
  return err("usage", { unknown: head.text, suggestions: closest(word, candidates, null) });
}

function inGroup(group: Group, args: readonly Token[]): Result<Command> {
  const [head, ...rest] = args;
  if (!head) return group === "funnel" ? ok({ verb: "funnel.show", team: null, window: null }) : ok({ verb: "help", topic: group });
  const word = keyword(head.text);
  if (HELP_WORDS.has(word)) return ok({ verb: "help", topic: group });
  const found = IN_GROUP.get(`${group} ${word}`);
  if (found) return found.build(rest, found.usage);
  const split = splitPrefix(head.text, [...HELP_WORDS, ...[...IN_GROUP.keys()].filter((k) => k.startsWith(`${group} `)).map((k) => k.slice(group.length + 1))]);
  if (split) return inGroup(group, [...split, ...rest]);
  // Any other word after `/funnel` names a team.
  if (group === "funnel") return FUNNEL_SHOW.build(args, FUNNEL_SHOW.usage);
  return err("usage", { unknown: head.text, suggestions: closest(word, CANDIDATES, group) });
}

/** Chinese is typed without spaces: `线索接受`, `接受#42` split into a known word and the rest. */
function splitPrefix(text: string, words: readonly string[]): [Token, Token] | null {
  const prefix = words
    .filter((w) => /[^\x20-\x7e]/.test(w) && text.length > w.length && text.startsWith(w))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? [{ text: prefix, quoted: false }, { text: text.slice(prefix.length), quoted: false }] : null;
}

// ── Suggestions ──────────────────────────────────────────────────────────────────────────────────────

interface Candidate {
  readonly key: string;
  readonly display: string;
  readonly group: Group | null;
}

const CANDIDATES: readonly Candidate[] = [
  ...Object.entries(GROUPS).map(([key, group]) => ({ key, display: `/${group}`, group })),
  ...(["lead", "account", "funnel"] as const).map((group) => ({ key: "help", display: `/${group} help`, group })),
  ...SPECS.flatMap((s) => wordsOf(s).map((key) => ({ key, display: s === FUNNEL_SHOW ? "/funnel" : `/${s.group} ${s.name}`, group: s.group }))),
];

/** Up to three candidates within two edits (one for short words), the typed group's own verbs first. */
function closest(word: string, candidates: readonly Candidate[], group: Group | null): string[] {
  const typed = [...word];
  if (typed.length === 0 || typed.length > 32) return [];
  const scored = candidates
    .map((c) => ({ c, distance: levenshtein(typed, [...c.key]) }))
    .filter(({ c, distance }) => distance <= Math.min(2, Math.floor(Math.max(typed.length, [...c.key].length) / 2)))
    .sort((a, b) => a.distance - b.distance || Number(a.c.group !== group) - Number(b.c.group !== group));
  return [...new Set(scored.map(({ c }) => c.display))].slice(0, 3);
}

function levenshtein(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}
