import { parseArgs } from "node:util";
import type { ServiceContext } from "../../services/context.js";

/** Where the CLI writes; tests pass buffers. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Opens the services' context lazily, so help and `playbook check` need no database. */
export type ContextOpener = () => Promise<ServiceContext>;

/** A mistake on the command line: one line on stderr, exit code 2, nothing written. */
export class UsageError extends Error {}

/** One option of a subcommand, as `util.parseArgs` takes it plus what help says about it. */
export interface CliOption {
  readonly type: "string" | "boolean";
  /** The placeholder help shows after the flag (`<key>`); string options only. */
  readonly value?: string;
  /** A one-letter alias (`-h`). */
  readonly short?: string;
  readonly description: string;
}

/** What a subcommand's `run` receives: its positionals and option values, already checked. */
export interface SubcommandInput {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly json: boolean;
  readonly io: CliIo;
  readonly open: ContextOpener;
}

/**
 * One admin subcommand (`teams add`, `import`, `calendar check` …): its words, arguments, options and
 * handler. Each module of the CLI exports a list of these; run-cli.ts dispatches over all of them.
 */
export interface Subcommand {
  /** The words that name it: `["teams", "add"]`. */
  readonly path: readonly string[];
  /** The positional arguments as help shows them: `<key>`. */
  readonly args: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, CliOption>>;
  /** How many positionals it takes. */
  readonly positionals: readonly [min: number, max: number];
  run(input: SubcommandInput): Promise<number>;
}

/** Options every subcommand takes. */
const COMMON: Readonly<Record<string, CliOption>> = {
  json: { type: "boolean", description: "print the result as JSON" },
  help: { type: "boolean", short: "h", description: "show this help" },
};

function optionLine(name: string, option: CliOption): string {
  const flag = `${option.short ? `-${option.short}, ` : ""}--${name}${option.type === "string" ? ` ${option.value ?? "<value>"}` : ""}`;
  return `  ${flag.padEnd(30)} ${option.description}`;
}

/** The help of one subcommand: its usage line, what it does and each option. */
export function subcommandHelp(command: Subcommand): string {
  const options = { ...command.options, ...COMMON };
  return [
    `Usage: funnelbot ${[...command.path, command.args].filter(Boolean).join(" ")} [options]`,
    "",
    command.summary,
    "",
    "Options:",
    ...Object.entries(options).map(([name, option]) => optionLine(name, option)),
  ].join("\n");
}

/** Reads a subcommand's arguments strictly: an unknown option, a missing value or an extra word is refused by name. */
export function readArgs(command: Subcommand, args: readonly string[]): { positionals: string[]; values: Record<string, string | boolean | undefined> } {
  const options = { ...command.options, ...COMMON };
  const name = `funnelbot ${command.path.join(" ")}`;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: Object.fromEntries(Object.entries(options).map(([key, o]) => [key, { type: o.type, ...(o.short ? { short: o.short } : {}) }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${name}: ${parseArgsMessage(error)}. See funnelbot ${command.path.join(" ")} --help.`);
  }
  // No option is declared `multiple`, so every value is a string or a boolean.
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { positionals: parsed.positionals, values };
  const [min, max] = command.positionals;
  if (parsed.positionals.length > max) throw new UsageError(`${name}: unexpected argument “${parsed.positionals[max]}”. See ${name} --help.`);
  if (parsed.positionals.length < min) throw new UsageError(`${name}: missing ${command.args}. See ${name} --help.`);
  return { positionals: parsed.positionals, values };
}

/** node's parseArgs errors as one short clause, naming the option. */
function parseArgsMessage(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const option = /'([^']+)'/.exec(message ?? "")?.[1]?.split(/[ ,]/)[0];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${option ?? ""}`.trim();
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return `option ${option ?? ""} ${/does not take/.test(message ?? "") ? "takes no value" : "needs a value"}`;
  return (message ?? "bad arguments").split("\n")[0]!.replace(/\.$/, "");
}
