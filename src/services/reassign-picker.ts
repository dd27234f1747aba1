import type { AccountRef } from "../commands/command.js";
import { t } from "../commands/i18n.js";
import { renderError } from "../commands/render-reply.js";
import type { Form, Locale, Reply } from "../commands/reply.js";
import { stageOf } from "../domain/playbook.js";
import { listMembers } from "../store/members.js";
import type { ServiceContext } from "./context.js";
import { resolveAccount } from "./resolve-account.js";

/**
 * `/account reassign <account>` without a member (a digest row's Reassign): a form to pick the new owner among
 * the active members of the teams that work the account's stage, with the command to type beside it. Whether
 * the asker may reassign is decided when the form is submitted, by the permission table.
 */
export async function reassignPicker(ctx: ServiceContext, ref: AccountRef, locale: Locale): Promise<Reply> {
  const found = await resolveAccount(ctx, ref);
  if (!found.ok) return renderError(found.error, locale, ctx.playbook);
  const { account, owner } = found.value;
  const teams = stageOf(ctx.playbook, account.stage)?.teams ?? [];
  const members = (await listMembers(ctx.db)).filter((m) => m.active && teams.includes(m.teamKey) && m.id !== owner?.id);
  const hint = t(locale, "reassign.hint", { id: account.id });
  const form: Form = {
    id: `reassign:${account.id}`,
    title: t(locale, "reassign.title", { company: account.company }),
    command: `account reassign #${account.id}`,
    submitLabel: t(locale, "reassign.submit"),
    fields: [{
      name: "member", as: "positional", label: t(locale, "reassign.member"), kind: "select", required: true,
      options: members.map((m) => ({ value: m.handle, label: `${m.displayName} (${m.handle})` })),
    }],
  };
  return { text: `${form.title}\n${hint}`, ephemeral: true, blocks: [{ kind: "form", form }, { kind: "text", text: hint }] };
}
