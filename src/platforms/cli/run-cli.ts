import { parseArgs } from "node:util";
import { ZodError } from "zod";
import { ConfigError } from "../../config/env.js";
import type { Command } from "../../commands/command.js";
import { parseCommand } from "../../commands/parser.js";
import { helpReply } from "../../commands/render-help.js";
import { usageLine, VERB_WORDS } from "../../commands/vocabulary.js";
import { runCommand } from "../../services/run-command.js";
import { findActor } from "../../store/members.js";
import { ADMIN_COMMANDS } from "./admin.js";
import { CALENDAR_COMMANDS } from "./calendar.js";
import { FIGURES_COMMANDS } from "./figures.js";
import { renderForTerminal } from "./render-terminal.js";
import { readArgs, subcommandHelp, UsageError, type CliIo, type ContextOpener, type Subcommand } from "./subcommand.js";

export type { CliIo, ContextOpener } from "./subcommand.js";

/** Every admin subcommand; another module's list (calendars …) is spread in here. */
export const SUBCOMMANDS: readonly Subcommand[] = [...ADMIN_COMMANDS, ...CALENDAR_COMMANDS, ...FIGURES_COMMANDS];

function overview(): string {
  const names = SUBCOMMANDS.map((c) => [c.path.join(" "), c.args].filter(Boolean).join(" "));
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return [
    "Usage:",
    "  funnelbot <chat command> --as <member> [--json]   e.g. funnelbot lead accept 42 --as alice",
    "  funnelbot lead help | account help | funnel help  the chat commands",
    ...SUBCOMMANDS.map((c, i) => `  funnelbot ${names[i]!.padEnd(width)}${c.summary.split(/(?<=\.) /)[0]}`),
    "",
    "Every subcommand takes --help, and --json for machine-readable output.",
  ].join("\n");
}

function groupHelp(group: string): string {
  const commands = SUBCOMMANDS.filter((c) => c.path[0] === group);
  return [`Usage: funnelbot ${group} <${commands.map((c) => c.path[1]).join("|")}> [options]`, "",
    ...commands.map((c) => `  funnelbot ${[...c.path, c.args].filter(Boolean).join(" ").padEnd(28)} ${c.summary}`), "",
    `funnelbot ${group} <subcommand> --help shows its options.`].join("\n");
}

// The shell already split the words; quote any that hold spaces so the parser sees them as one again.
// `dm=Li Wei` becomes `dm="Li Wei"`: a quote inside a word opens a quoted run, as in chat.
function quoteArg(arg: string): string {
  if (!/[\s"“”]/.test(arg)) return arg;
  const value = arg.replace(/["“”]/g, "'");
  const pair = /^([^\s=＝:：]+[=＝:：])(.*)$/su.exec(value);
  return pair ? `${pair[1]}"${pair[2]}"` : `"${value}"`;
}

/** Finds the admin subcommand `argv` names, and the arguments left for it; null for a chat command. */
function findSubcommand(argv: readonly string[]): { command: Subcommand; rest: readonly string[] } | { help: string } | null {
  const [first, second] = argv;
  const group = SUBCOMMANDS.filter((c) => c.path[0] === first);
  if (group.length === 0) return null;
  const exact = group.find((c) => c.path.length === 2 && c.path[1] === second);
  if (exact) return { command: exact, rest: argv.slice(2) };
  const single = group.find((c) => c.path.length === 1);
  if (single) return { command: single, rest: argv.slice(1) };
  if (second === "--help" || second === "-h") return { help: groupHelp(first!) };
  // A bare group (`funnelbot members`, `funnelbot teams --json`) lists.
  const list = group.find((c) => c.path[1] === "list");
  if (list && (second === undefined || second.startsWith("-"))) return { command: list, rest: argv.slice(1) };
  throw new UsageError(`funnelbot ${first}: unknown subcommand “${second ?? ""}”; one of ${group.map((c) => c.path[1]).join(", ")}. See funnelbot ${first} --help.`);
}

/** Runs the CLI with `argv` (without node and script); resolves to the process exit code. */
export async function runCli(argv: readonly string[], open: ContextOpener, io: CliIo): Promise<number> {
  try {
    const [first] = argv;
    if (!first || first === "--help" || first === "-h") {
      (first ? io.out : io.err)(overview());
      return first ? 0 : 2;
    }
    const found = findSubcommand(argv);
    if (found && "help" in found) {
      io.out(found.help);
      return 0;
    }
    if (found) {
      const { positionals, values } = readArgs(found.command, found.rest);
      if (values.help) {
        io.out(subcommandHelp(found.command));
        return 0;
      }
      return await found.command.run({ positionals, values, json: values.json === true, io, open });
    }
    return await chat(argv, open, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    if (error instanceof ZodError) {
      const issue = error.issues[0];
      io.err(`${issue?.path.join(".") || "input"}: ${issue?.message ?? "invalid"}`);
      return 2;
    }
    throw error;
  }
}

/** A chat command as a member: `lead accept 42 --as alice [--json]`. The chat parser reads every other word and flag. */
async function chat(argv: readonly string[], open: ContextOpener, io: CliIo): Promise<number> {
  const { values, tokens } = parseArgs({
    args: [...argv], options: { as: { type: "string" }, json: { type: "boolean" } }, strict: false, allowPositionals: true, tokens: true,
  });
  const taken = new Set<number>();
  for (const token of tokens) {
    if (token.kind !== "option" || (token.name !== "as" && token.name !== "json")) continue;
    taken.add(token.index);
    if (token.name === "as" && !token.inlineValue && token.value !== undefined) taken.add(token.index + 1);
  }
  const words = argv.filter((_, i) => !taken.has(i));
  const json = values.json === true;
  const handle = typeof values.as === "string" ? values.as : null;

  const askedHelp = words.some((w) => w === "--help" || w === "-h");
  const line = words.filter((w) => w !== "--help" && w !== "-h").map(quoteArg).join(" ");
  const parsed = parseCommand(line);
  if (askedHelp || (!handle && parsed.ok && parsed.value.verb === "help")) {
    io.out(chatHelp(parsed.ok ? parsed.value : null, words));
    return 0;
  }
  if (!handle) {
    io.err("Say who is acting: --as <member handle>. funnelbot members lists them.");
    return 2;
  }
  const ctx = await open();
  const actor = await findActor(ctx.db, { handle });
  const reply = await runCommand(ctx, actor, line, { platform: "cli" });
  const reader = { locale: actor?.locale ?? "en", handle } as const;
  if (json) {
    const value = reply.data ?? { ok: !reply.errorCode, ...(reply.errorCode ? { error: reply.errorCode } : {}), text: renderForTerminal(reply, reader) };
    (reply.errorCode ? io.err : io.out)(JSON.stringify(value, null, 2));
  } else {
    (reply.errorCode ? io.err : io.out)(renderForTerminal(reply, reader));
  }
  return reply.errorCode ? 1 : 0;
}

/** `funnelbot lead accept --help`: that verb's usage; `funnelbot lead --help`: the group's help. */
function chatHelp(command: Command | null, words: readonly string[]): string {
  const topic = command?.verb === "help" ? command.topic : null;
  const typed = words.filter((w) => !w.startsWith("-")).slice(0, 2).join(" ");
  const entry = command && command.verb !== "help"
    ? VERB_WORDS.find((e) => e.verb === command.verb && typed.endsWith(e.en)) ?? VERB_WORDS.find((e) => e.verb === command.verb)
    : VERB_WORDS.find((e) => `${e.group} ${e.en}` === typed || `${e.group} ${e.zh}` === typed);
  if (entry) {
    return `Usage: funnelbot ${usageLine(entry, "en").slice(1)} --as <member> [--json]\n\n${entry.help.en}.`;
  }
  return `${renderForTerminal(helpReply(topic, "en"), { locale: "en" }).replace(/^ {2}\//gm, "  ")}\n\nRun any of them as a member: funnelbot <command> --as <member> [--json]`;
}
