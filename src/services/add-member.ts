import type { MemberRef } from "../commands/command.js";
import { pick, t } from "../commands/i18n.js";
import { roleName } from "../commands/render-notice.js";
import { renderError, say } from "../commands/render-reply.js";
import type { Reply } from "../commands/reply.js";
import type { Actor, Role } from "../domain/account.js";
import { err, ok, type Result } from "../domain/errors.js";
import type { Playbook } from "../domain/playbook.js";
import { mayChangeMember } from "../domain/permissions.js";
import { countAdmins, findMember, updateMember, upsertMember, type Identity, type MemberRecord } from "../store/members.js";
import { findTeam } from "../store/teams.js";
import type { ServiceContext } from "./context.js";
import type { DirectoryPerson } from "./directory.js";

/** What `/funnel member add` asks: the person (as their platform named them), the team and the role. */
export interface AddMemberInput {
  readonly who: MemberRef;
  readonly team: string;
  readonly role: Role;
  /** For someone new: their name and language when known (a request for access carries both); else from the reference and the team. */
  readonly displayName?: string;
  readonly locale?: "en" | "zh-CN";
}

/** A member added or changed, and the team they are now in. */
export interface AddedMember {
  readonly member: MemberRecord;
  readonly team: Playbook["teams"][number];
}

/**
 * `/funnel member add <person> <team> <role>`: admins add anyone; managers add reps and managers to their own
 * team (the permission table decides). The person comes from any platform as a {@link MemberRef}: a Slack user,
 * a WeCom UserID or a handle; someone new is added under that identity.
 */
export async function addMember(ctx: ServiceContext, actor: Actor, input: AddMemberInput): Promise<Reply> {
  const locale = actor.locale;
  const added = await putMember(ctx, actor, input);
  if (!added.ok) return renderError(added.error, locale, ctx.playbook);
  const { member, team } = added.value;
  return say(t(locale, "member.added", { name: member.displayName, team: pick(team.name, locale), role: roleName(ctx.playbook, team.key, input.role, locale) }), undefined, false);
}

/** The change `addMember` makes, as a result: refused by the permission table, or the member as they are now. */
export async function putMember(ctx: ServiceContext, actor: Actor, input: AddMemberInput): Promise<Result<AddedMember>> {
  const team = ctx.playbook.teams.find((x) => x.key === input.team);
  if (!team) return err("unknown-team", { team: input.team });
  const existing = await findMember(ctx.db, identityOf(input.who));
  // Who the person is today decides as much as where they are going: see the permission table.
  const admins = existing?.role === "admin" ? await countAdmins(ctx.db) : 0;
  const allowed = mayChangeMember(actor, existing, { teamKey: team.key, role: input.role }, admins);
  if (!allowed.ok) return allowed;
  const teamLocale = (await findTeam(ctx.db, team.key))?.locale === "zh-CN" ? "zh-CN" : "en";
  const { wanted, displayName, platformIds } = newcomer(input.who);
  // Someone new named by a Slack or WeCom mention gets their name (and language and email, where the platform says) from its directory.
  const known = !existing && input.who.kind !== "handle" ? await lookUp(ctx, input.who.kind, input.who.userId) : null;
  const email = known?.email && !(await findMember(ctx.db, { email: known.email })) ? known.email : null;
  // Adding someone who left brings them back.
  const member = existing
    ? await updateMember(ctx.db, existing.handle, { teamKey: team.key, role: input.role, active: true })
    : await upsertMember(ctx.db, {
      handle: await freeHandle(ctx, wanted), displayName: input.displayName || known?.name || displayName, teamKey: team.key, role: input.role,
      locale: input.locale ?? known?.locale ?? teamLocale, ...(email ? { email } : {}), ...platformIds,
    });
  return ok({ member: member!, team });
}

/** How the store finds the member a reference names. */
export function identityOf(who: MemberRef): Identity {
  switch (who.kind) {
    case "handle": return { handle: who.handle };
    case "slack": return { slackUserId: who.userId };
    case "wecom": return { wecomUserId: who.userId };
  }
}

/** A handle, a display name and the platform identity for someone added for the first time. */
function newcomer(who: MemberRef): { wanted: string; displayName: string; platformIds: { slackUserId?: string; wecomUserId?: string } } {
  const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9._-]/g, "");
  switch (who.kind) {
    case "handle": return { wanted: who.handle, displayName: who.handle, platformIds: {} };
    case "slack": return { wanted: slug(who.name ?? "") || who.userId.toLowerCase(), displayName: who.name || who.userId, platformIds: { slackUserId: who.userId } };
    case "wecom": return { wanted: slug(who.userId) || "member", displayName: who.userId, platformIds: { wecomUserId: who.userId } };
  }
}

/** A person from a platform's directory, when it is configured and answers; the add goes on without them otherwise. */
async function lookUp(ctx: ServiceContext, platform: "slack" | "wecom", id: string): Promise<DirectoryPerson | null> {
  try {
    return (await ctx.directories?.[platform]?.person(id)) ?? null;
  } catch {
    return null;
  }
}

async function freeHandle(ctx: ServiceContext, wanted: string): Promise<string> {
  for (let n = 1; ; n++) {
    const handle = n === 1 ? wanted : `${wanted}${n}`;
    if (!(await findMember(ctx.db, { handle }))) return handle;
  }
}
