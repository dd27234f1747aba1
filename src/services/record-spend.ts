import type { Actor } from "../domain/account.js";
import { localDay } from "../domain/calendar.js";
import { err, fail, ok, type Result } from "../domain/errors.js";
import { parseMonth, type Spend } from "../domain/figures.js";
import { mayRecordSpend } from "../domain/permissions.js";
import { parseAmount } from "../domain/values.js";
import { knownSources, recordSpend } from "../store/figures.js";
import type { RequestMeta, ServiceContext } from "./context.js";

/** The currency spend is recorded in when none is given: the accounts' default. */
export const SPEND_CURRENCY = "CNY";

/**
 * `/funnel spend <channel> <YYYY-MM> <amount>`: a manager of marketing (or an admin) records a month's
 * spend on a source channel, as an event; a later entry for the same month replaces it in the figures.
 * The channel must be one some account came from, and the month must have started.
 */
export async function recordSpendEntry(
  ctx: ServiceContext, actor: Actor, input: { channel: string; month: string; amount: number; currency?: string }, meta: RequestMeta,
): Promise<Result<Spend>> {
  const allowed = mayRecordSpend(ctx.playbook, actor);
  if (!allowed.ok) return allowed;
  return save(ctx, actor.id, input, meta, await knownSources(ctx.db));
}

async function save(ctx: ServiceContext, actorId: number | null, input: { channel: string; month: string; amount: number; currency?: string }, meta: RequestMeta, sources: readonly string[]): Promise<Result<Spend>> {
  const now = ctx.clock();
  const month = parseMonth(input.month, localDay(now, ctx.calendar.timezone));
  if (!month.ok) return month;
  if (!Number.isFinite(input.amount) || input.amount < 0) return err("invalid-amount", { text: String(input.amount) });
  const channel = sources.find((s) => s.toLowerCase() === input.channel.trim().toLowerCase());
  if (!channel) return err("unknown-channel", { channel: input.channel, channels: sources });
  const entry = { channel, month: month.value, amount: Math.round(input.amount), currency: input.currency ?? SPEND_CURRENCY };
  await recordSpend(ctx.db, { ...entry, actorId, platform: meta.platform, at: now });
  return ok(entry);
}

/** What a spend import did: rows recorded, and the rows refused with why. */
export interface SpendImportReport {
  readonly recorded: number;
  readonly errors: readonly { readonly line: number; readonly code: string; readonly text: string }[];
}

/**
 * `funnelbot spend import spend.csv`: rows of `channel,month,amount[,currency]` (a header row naming them,
 * in English or Chinese). Each good row is recorded like the command; bad rows are reported by line.
 */
export async function importSpend(ctx: ServiceContext, csv: string, meta: RequestMeta): Promise<SpendImportReport> {
  // Loaded on the first import, not at start-up (as in import-leads.ts).
  const { parse } = await import("csv-parse/sync");
  const rows = parse(csv, { columns: (header: string[]) => header.map(column), skip_empty_lines: true, trim: true, bom: true, relax_column_count: true }) as Record<string, string>[];
  const sources = await knownSources(ctx.db);
  let recorded = 0;
  const errors: { line: number; code: string; text: string }[] = [];
  for (const [i, row] of rows.entries()) {
    const line = i + 2;
    const amount = parseAmount(row.amount ?? "");
    const saved = amount === null
      ? { ok: false as const, error: fail("invalid-amount", { text: row.amount ?? "" }) }
      : await save(ctx, null, { channel: row.channel ?? "", month: row.month ?? "", amount, ...(row.currency ? { currency: row.currency.toUpperCase() } : {}) }, meta, sources);
    if (saved.ok) recorded++;
    else errors.push({ line, code: saved.error.code, text: String(saved.error.details.text ?? saved.error.details.channel ?? "") });
  }
  return { recorded, errors };
}

const COLUMNS: Readonly<Record<string, string>> = {
  channel: "channel", source: "channel", 渠道: "channel", 来源: "channel",
  month: "month", 月份: "month", 月: "month",
  amount: "amount", spend: "amount", 金额: "amount", 投入: "amount", 花费: "amount",
  currency: "currency", 币种: "currency",
};

function column(header: string): string {
  return COLUMNS[header.trim().toLowerCase()] ?? header.trim().toLowerCase();
}
