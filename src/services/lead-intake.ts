import { createHash } from "node:crypto";
import { z } from "zod";
import { contactKeys } from "../domain/contacts.js";
import { err, ok, type Result } from "../domain/errors.js";
import { behaviourPoints, gradeOf, scoreLead, type Grade, type LeadProfile, type LeadScore } from "../domain/scoring.js";
import { createAccount, findDelivery } from "../store/accounts.js";
import { behaviourTotals, findLead, leadsByContact, recordActivity, updateLead, type LeadPatch, type LeadRecord } from "../store/leads.js";
import { mergePatch } from "../domain/intake.js";
import { actOnAccount, systemActor } from "./act-on-account.js";
import { decideAndSave } from "./save-decision.js";
import type { ServiceContext } from "./context.js";

const text = (max: number) => z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be text") }).trim().min(1, "must not be empty").max(max, `at most ${max} characters`);

/** A lead as a web form, a marketing-automation tool or a CSV row sends it; email or domain is required. */
export const LeadInputSchema = z
  .object({
    /** The sender's id for this submission: the same id again is a replay and changes nothing. */
    id: text(200).optional(),
    company: text(200),
    email: z.email("must be an email address").max(254).optional(),
    domain: z.string().trim().toLowerCase().max(253).regex(/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, "must be a domain like example.com").optional(),
    title: text(100).optional(),
    size: z.coerce.number("must be a number of employees").int("must be a whole number").min(0, "must not be negative").max(10_000_000).optional(),
    industry: text(100).optional(),
    region: text(100).optional(),
    source: text(100).optional(),
  })
  .refine((v) => v.email !== undefined || v.domain !== undefined, { message: "email or domain is required", path: ["email"] });
/** A lead as a web form, a marketing-automation tool or a CSV row sends it. */
export type LeadInput = z.infer<typeof LeadInputSchema>;

/** A behaviour event: which lead (by id, email or domain), what it did and the sender's event id. */
export const ActivityInputSchema = z
  .object({
    id: text(200).optional(),
    accountId: z.number().int().positive().optional(),
    email: z.email("must be an email address").max(254).optional(),
    domain: z.string().trim().toLowerCase().max(253).optional(),
    type: z.string().trim().regex(/^[a-z][a-z0-9-]{0,47}$/, "must be a behaviour like page-visit, download, webinar, email-open or email-click"),
    at: z.iso.datetime({ offset: true, error: "must be an ISO 8601 instant" }).optional(),
  })
  .refine((v) => v.accountId !== undefined || v.email !== undefined || v.domain !== undefined, { message: "accountId, email or domain is required", path: ["email"] });
/** A behaviour event. */
export type ActivityInput = z.infer<typeof ActivityInputSchema>;

/** What intake did with a lead: its account, whether it was new, and where its score stands. */
export interface IntakeOutcome {
  readonly accountId: number;
  readonly created: boolean;
  /** False when the lead was known and the submission brought nothing new. */
  readonly changed: boolean;
  readonly score: number;
  readonly grade: Grade | null;
  readonly stage: string;
}

/** A stable key for a delivery: the sender's id when it gave one, else a hash of the body. */
export function deliveryKey(kind: "lead" | "activity", id: string | undefined, body: string): string {
  return `hook:${kind}:${id ?? `sha256:${createHash("sha256").update(body).digest("hex")}`}`;
}

/** The lead's score as the playbook computes it now, or null when the playbook does not score. */
export async function leadScore(ctx: ServiceContext, lead: LeadProfile & { id: number }): Promise<LeadScore | null> {
  const { scoring } = ctx.playbook;
  return scoring ? scoreLead(scoring, lead, await behaviourTotals(ctx.db, lead.id)) : null;
}

/** The facts a submission changes on a known lead: decided in the domain ({@link mergePatch}). */
export function patchOf(lead: LeadRecord, input: LeadInput, domain: string | null, email: string | null): LeadPatch {
  return mergePatch(lead, input, domain, email);
}

/**
 * Takes in one lead: creates it in the playbook's first stage, or updates the account with the same
 * company domain or email (never a duplicate), scores it, and hands it to sales when the score crosses the
 * MQL threshold. A repeated delivery key answers with the first outcome and writes nothing.
 */
export async function intakeLead(ctx: ServiceContext, input: LeadInput, key: string | null, platform: "webhook" | "cli"): Promise<IntakeOutcome> {
  if (key) {
    const first = await findDelivery(ctx.db, key);
    if (first !== undefined) return first as IntakeOutcome;
  }
  const { domain, email } = contactKeys(input.email, input.domain);
  const stage = ctx.playbook.initialStage;
  const profile = { title: input.title ?? null, size: input.size ?? null, industry: input.industry ?? null, region: input.region ?? null };
  // A replayed delivery answers as the first time; an unchanged lead hands nothing on.
  let quiet = false;
  const merged = await decideAndSave<IntakeOutcome>(async () => {
    const [existing] = await leadsByContact(ctx.db, domain ? [domain] : [], email ? [email] : []);
    if (!existing) {
      const score = ctx.playbook.scoring ? scoreLead(ctx.playbook.scoring, profile, []).total : 0;
      const outcome = (id: number): IntakeOutcome => ({ accountId: id, created: true, changed: true, score, grade: grade(ctx, score), stage });
      const made = await createAccount(ctx.db, {
        company: input.company, domain, email, source: input.source ?? null, ...profile, score, amount: 0, stage, ownerId: null, actorId: null,
        platform, at: ctx.clock(), idempotency: key ? { key, result: outcome } : null,
      });
      quiet = made.kind === "duplicate";
      return ok({ result: made.kind === "duplicate" ? (made.result as IntakeOutcome) : outcome(made.id), save: async () => (made.kind === "duplicate" ? made : { kind: "saved" as const }) });
    }
    const patch = patchOf(existing, input, domain, email);
    const score = (await leadScore(ctx, { ...existing, ...patch }))?.total ?? existing.score;
    const changed = Object.keys(patch).length > 0 || score !== existing.score;
    const outcome: IntakeOutcome = { accountId: existing.id, created: false, changed, score, grade: grade(ctx, score), stage: existing.stage };
    quiet = !changed && !key;
    if (quiet) return ok({ result: outcome, save: async () => ({ kind: "saved" as const }) });
    return ok({
      result: outcome,
      save: async () => {
        const saved = await updateLead(ctx.db, { accountId: existing.id, expectedVersion: existing.version, patch, score, at: ctx.clock(), idempotency: key ? { key, result: outcome } : null });
        quiet = saved.kind === "duplicate";
        return saved;
      },
    });
  }, () => {
    throw new Error("lead intake kept losing races on one account");
  });
  if (!merged.ok) throw new Error(merged.error.code);
  return quiet ? merged.value : handOffIfHot(ctx, merged.value);
}

/**
 * Records one behaviour of a known lead and adds its points to the score; crossing the threshold hands
 * the lead to sales. Refused when no account matches. A repeated key answers with the first outcome.
 */
export async function recordLeadActivity(ctx: ServiceContext, input: ActivityInput, key: string): Promise<Result<IntakeOutcome>> {
  const first = await findDelivery(ctx.db, key);
  if (first !== undefined) return ok(first as IntakeOutcome);
  const points = behaviourPoints(ctx.playbook.scoring, input.type);
  const recorded = await decideAndSave<IntakeOutcome>(async () => {
    const lead = await locate(ctx, input);
    if (!lead) return err("account-not-found", { ref: input.accountId ?? input.email ?? input.domain ?? "" });
    const score = ((await leadScore(ctx, lead))?.total ?? lead.score) + points;
    const outcome: IntakeOutcome = { accountId: lead.id, created: false, changed: true, score, grade: grade(ctx, score), stage: lead.stage };
    const at = input.at ? new Date(input.at) : ctx.clock();
    return ok({ result: outcome, save: () => recordActivity(ctx.db, { accountId: lead.id, expectedVersion: lead.version, kind: input.type, points, score, key, at, result: outcome }) });
  }, () => {
    throw new Error("activity kept losing races on one account");
  });
  return recorded.ok ? ok(await handOffIfHot(ctx, recorded.value)) : recorded;
}

async function locate(ctx: ServiceContext, input: ActivityInput): Promise<LeadRecord | null> {
  if (input.accountId !== undefined) return findLead(ctx.db, input.accountId);
  const { domain, email } = contactKeys(input.email, input.domain);
  // An exact email beats a shared company domain.
  const found = await leadsByContact(ctx.db, domain ? [domain] : [], email ? [email] : []);
  return found.find((l) => email !== null && l.email === email) ?? found[0] ?? null;
}

function grade(ctx: ServiceContext, score: number): Grade | null {
  return ctx.playbook.scoring ? gradeOf(ctx.playbook.scoring, score) : null;
}

/**
 * A lead in the first stage whose score reached the playbook's MQL threshold goes to sales as the bot
 * itself: the rep whose turn it is gets the MQL card. Seed 002: a score over the threshold makes an MQL.
 */
export async function handOffIfHot(ctx: ServiceContext, outcome: IntakeOutcome): Promise<IntakeOutcome> {
  const { scoring, initialStage, transitions } = ctx.playbook;
  if (!scoring || outcome.stage !== initialStage || outcome.score < scoring.mqlThreshold) return outcome;
  if (!transitions.some((t) => t.from === initialStage && t.verb === "handoff")) return outcome;
  const moved = await actOnAccount(ctx, systemActor(ctx), outcome.accountId, { kind: "move", verb: "handoff", confirm: "all" }, { platform: "system" });
  return moved.ok ? { ...outcome, stage: moved.value.toStage } : outcome;
}
