import type { NewLeadInput } from "../commands/command.js";
import type { Actor } from "../domain/account.js";
import { contactKeys } from "../domain/contacts.js";
import { ok, type Result } from "../domain/errors.js";
import { askerOf, check, stageRelation } from "../domain/permissions.js";
import { memberKey } from "./act-on-account.js";
import { createAccount, findAccountByContact, findAccountByName, findDelivery } from "../store/accounts.js";
import type { RequestMeta, ServiceContext } from "./context.js";

/** A lead created, or the existing account the same email or domain already belongs to. */
export interface CreateLeadOutcome {
  readonly accountId: number;
  readonly company: string;
  readonly stage: string;
  readonly merged: boolean;
  /** Nothing was created: an account of the same name exists (and `--new` was not given). */
  readonly sameName?: { readonly id: number; readonly company: string; readonly stage: string };
}

/**
 * Creates a lead in the playbook's first stage, unless its email or domain is already known (merged), or an account
 * of the same name exists and the lead does not say `force` (then nothing is created and that account is offered).
 */
export async function createLead(ctx: ServiceContext, actor: Actor, lead: NewLeadInput, meta: RequestMeta): Promise<Result<CreateLeadOutcome>> {
  const stage = ctx.playbook.stages.find((s) => s.code === ctx.playbook.initialStage)!;
  const allowed = check("create", askerOf(actor), stageRelation(actor, stage), "unowned", { team: actor.teamKey, stage: stage.code, teams: stage.teams });
  if (!allowed.ok) return allowed;
  const key = meta.key ? memberKey(meta.key, actor, lead) : null;
  if (key) {
    const first = await findDelivery(ctx.db, key);
    if (first !== undefined) return ok(first as CreateLeadOutcome);
  }
  const { domain, email } = contactKeys(lead.email, lead.domain);
  const existing = await findAccountByContact(ctx.db, domain, email);
  if (existing !== null) return ok({ accountId: existing, company: lead.company, stage: stage.code, merged: true });
  // A second account of the same name is usually the first one typed again: offer it, and create only when asked.
  const named = lead.force ? null : await findAccountByName(ctx.db, lead.company);
  if (named) return ok({ accountId: named.id, company: named.company, stage: named.stage, merged: false, sameName: named });
  const created = await createAccount(ctx.db, {
    company: lead.company, domain, email, source: lead.source, region: lead.region, industry: lead.industry,
    amount: lead.amount ?? 0, stage: stage.code, ownerId: null, actorId: actor.id, platform: meta.platform, at: ctx.clock(),
    idempotency: key ? { key, result: (id) => ({ accountId: id, company: lead.company, stage: stage.code, merged: false }) } : null,
  });
  if (created.kind === "duplicate") return ok(created.result as CreateLeadOutcome);
  return ok({ accountId: created.id, company: lead.company, stage: stage.code, merged: false });
}
