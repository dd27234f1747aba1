import type { Readable } from "node:stream";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { contactKeys } from "../domain/contacts.js";
import { scoreLead } from "../domain/scoring.js";
import { fieldErrors } from "./field-errors.js";
import { createLeads, leadsByContact, type LeadRecord, type NewLeadRow } from "../store/leads.js";
import type { ServiceContext } from "./context.js";
import { handOffIfHot, intakeLead, LeadInputSchema, patchOf, type LeadInput } from "./lead-intake.js";

/** The lead fields a CSV column can fill. */
export const IMPORT_FIELDS = ["company", "email", "domain", "title", "size", "industry", "region", "source"] as const;
/** A lead field a CSV column can fill. */
export type ImportField = (typeof IMPORT_FIELDS)[number];

// Headers as marketing tools and people write them, in English and Chinese; compared ignoring case.
const HEADERS: Readonly<Record<ImportField, readonly string[]>> = {
  company: ["company", "company name", "account", "公司", "公司名称", "企业", "企业名称"],
  email: ["email", "e-mail", "email address", "邮箱", "电子邮件", "邮件"],
  domain: ["domain", "website", "域名", "网站", "官网"],
  title: ["title", "job title", "职位", "职务", "头衔"],
  size: ["size", "employees", "company size", "规模", "公司规模", "人数", "员工数"],
  industry: ["industry", "行业"],
  region: ["region", "country", "地区", "区域", "国家"],
  source: ["source", "lead source", "来源", "渠道"],
};

/** How an import is run: explicit column names per field (the rest found by header), a dry run, a default source. */
export interface ImportOptions {
  readonly mapping: Readonly<Partial<Record<ImportField, string>>>;
  readonly dryRun: boolean;
  readonly source: string | null;
}

/** A row that was not imported: its line in the file and what is wrong, field by field. */
export interface RowError {
  readonly line: number;
  readonly fields: Readonly<Record<string, string>>;
}

/** What an import did (or, dry, would do). */
export interface ImportReport {
  readonly rows: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Leads whose score reached the MQL threshold and went to sales. */
  readonly handedOff: number;
  readonly errors: readonly RowError[];
}

/** The file itself cannot be imported (no company column, a mapping naming a missing column). */
export class ImportError extends Error {
  override name = "ImportError";
}

/** Rows written per batch: a few queries each, and the event loop gets a turn between batches. */
const BATCH = 250;

interface Row {
  readonly line: number;
  readonly input: LeadInput;
  readonly email: string | null;
  readonly domain: string | null;
}

/**
 * Imports leads from CSV: each good row creates a lead or updates the one with the same company domain or
 * email, so running the same file twice changes nothing the second time. Bad rows are reported with
 * their line and skipped; the good ones are imported regardless. The file is streamed and written in
 * batches, so ten thousand rows never hold the event loop for long.
 */
export async function importLeads(ctx: ServiceContext, input: Readable, options: ImportOptions): Promise<ImportReport> {
  const errors: RowError[] = [];
  const totals = { rows: 0, created: 0, updated: 0, unchanged: 0, handedOff: 0 };
  // The CSV parser is loaded on the first import, not at start-up: most processes never import a file.
  const { parse } = await import("csv-parse");
  const parser = input.pipe(parse({ bom: true, columns: (h: string[]) => h.map((x) => x.trim()), skip_empty_lines: true, relax_column_count: true, trim: true, info: true, skip_records_with_error: true }));
  parser.on("skip", (error: Error & { lines?: number }) => {
    totals.rows += 1;
    errors.push({ line: error.lines ?? 0, fields: { row: error.message.replace(/^Invalid Record Length: /, "") } });
  });
  let columns: Map<ImportField, string> | null = null;
  let batch: Row[] = [];
  const seen = new Map<string, number>();
  // A dry run writes nothing, so it remembers what it would have created to count a later row as a merge.
  const wouldCreate = new Set<string>();
  const flush = async () => {
    const done = await importBatch(ctx, batch, options.dryRun ? wouldCreate : null);
    for (const k of ["created", "updated", "unchanged", "handedOff"] as const) totals[k] += done[k];
    batch = [];
    seen.clear();
    await yieldToLoop();
  };
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    columns ??= columnsOf(Object.keys(record), options.mapping);
    totals.rows += 1;
    const raw: Record<string, string> = {};
    for (const [field, header] of columns) if (record[header]) raw[field] = record[header];
    if (!raw.source && options.source) raw.source = options.source;
    const parsed = LeadInputSchema.safeParse(raw);
    if (!parsed.success) {
      errors.push({ line: info.lines, fields: fieldErrors(parsed.error) });
      continue;
    }
    const contact = contactKeys(parsed.data.email, parsed.data.domain);
    const keys = [contact.domain && `d:${contact.domain}`, contact.email && `e:${contact.email}`].filter((k): k is string => !!k);
    // The same company twice in one batch is one lead: the later row's facts complete the earlier one's,
    // so running the file again finds nothing to change.
    const earlier = keys.map((k) => seen.get(k)).find((i) => i !== undefined);
    if (earlier !== undefined) {
      const first = batch[earlier]!;
      const { company: _company, ...later } = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as LeadInput;
      batch[earlier] = { ...first, input: { ...first.input, ...later } };
    } else {
      keys.forEach((k) => seen.set(k, batch.length));
      batch.push({ line: info.lines, input: parsed.data, ...contact });
    }
    if (batch.length >= BATCH) await flush();
  }
  if (columns === null) throw new ImportError("The file has no rows under its header.");
  await flush();
  return { ...totals, errors: errors.sort((a, b) => a.line - b.line) };
}

/** Which header each field reads: the mapping's, else the first header people use for it. */
function columnsOf(headers: readonly string[], mapping: ImportOptions["mapping"]): Map<ImportField, string> {
  const columns = new Map<ImportField, string>();
  for (const field of IMPORT_FIELDS) {
    const wanted = mapping[field];
    if (wanted !== undefined) {
      const header = headers.find((h) => h.toLowerCase() === wanted.toLowerCase());
      if (!header) throw new ImportError(`--map ${field}=${wanted}: the file has no column “${wanted}”. Columns: ${headers.join(", ")}`);
      columns.set(field, header);
      continue;
    }
    const header = headers.find((h) => HEADERS[field].includes(h.toLowerCase()));
    if (header) columns.set(field, header);
  }
  if (!columns.has("company")) throw new ImportError(`No company column (company, 公司 …) among: ${headers.join(", ")}. Map one with --map company=<column>.`);
  return columns;
}

async function importBatch(ctx: ServiceContext, rows: readonly Row[], wouldCreate: Set<string> | null): Promise<Omit<ImportReport, "rows" | "errors">> {
  const dryRun = wouldCreate !== null;
  const counts = { created: 0, updated: 0, unchanged: 0, handedOff: 0 };
  if (rows.length === 0) return counts;
  const known = await leadsByContact(ctx.db, rows.flatMap((r) => (r.domain ? [r.domain] : [])), rows.flatMap((r) => (r.email ? [r.email] : [])));
  const match = (r: Row): LeadRecord | undefined => known.find((k) => (r.domain !== null && k.domain === r.domain) || (r.email !== null && k.email === r.email));
  const fresh: NewLeadRow[] = [];
  for (const row of rows) {
    const lead = match(row);
    const keys = [row.domain && `d:${row.domain}`, row.email && `e:${row.email}`].filter((k): k is string => !!k);
    if (!lead && wouldCreate && keys.some((k) => wouldCreate.has(k))) {
      counts.updated += 1;
    } else if (!lead) {
      keys.forEach((k) => wouldCreate?.add(k));
      const profile = { title: row.input.title ?? null, size: row.input.size ?? null, industry: row.input.industry ?? null, region: row.input.region ?? null };
      const score = ctx.playbook.scoring ? scoreLead(ctx.playbook.scoring, profile, []).total : 0;
      fresh.push({ company: row.input.company, email: row.email, domain: row.domain, source: row.input.source ?? null, ...profile, score });
    } else if (dryRun) {
      counts[Object.keys(patchOf(lead, row.input, row.domain, row.email)).length > 0 ? "updated" : "unchanged"] += 1;
    } else {
      const outcome = await intakeLead(ctx, row.input, null, "cli");
      counts[outcome.changed ? "updated" : "unchanged"] += 1;
      if (outcome.stage !== lead.stage) counts.handedOff += 1;
    }
  }
  counts.created = fresh.length;
  if (dryRun) return counts;
  const ids = await createLeads(ctx.db, fresh, ctx.playbook.initialStage, null, "cli", ctx.clock());
  for (const [i, id] of ids.entries()) {
    const stage = ctx.playbook.initialStage;
    const moved = await handOffIfHot(ctx, { accountId: id, created: true, changed: true, score: fresh[i]!.score, grade: null, stage });
    if (moved.stage !== stage) counts.handedOff += 1;
  }
  return counts;
}
