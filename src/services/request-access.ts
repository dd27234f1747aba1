import type { MemberRef } from "../commands/command.js";
import { pick, t } from "../commands/i18n.js";
import { parseCommand } from "../commands/parser.js";
import { helpReply } from "../commands/render-help.js";
import { renderError, say } from "../commands/render-reply.js";
import type { Button, Locale, OutgoingMessage, Reply } from "../commands/reply.js";
import { shownCommand } from "../commands/vocabulary.js";
import { mayDecideAccess, onAccessAsk } from "../domain/access.js";
import type { Actor, Role } from "../domain/account.js";
import { err, type DomainError } from "../domain/errors.js";
import { mayAnswerAccess } from "../domain/permissions.js";
import { closeAccessRequest, findAccessRequest, openAccessRequest, type AccessAsker, type AccessRequest } from "../store/access-requests.js";
import { listMembers, type MemberRecord } from "../store/members.js";
import { roleName } from "../commands/render-notice.js";
import type { ServiceContext } from "./context.js";
import { putMember } from "./add-member.js";

/**
 * Someone funnelbot does not know used a command (a Slack slash command or button, a WeCom message). `help` is
 * answered as for anyone; everything else is a request for access: the admins get one card each, at most once a
 * day per person, and the person is told, in their language, that the admins have been asked (or still are).
 */
export async function answerStranger(ctx: ServiceContext, asker: AccessAsker, line: string): Promise<Reply> {
  const parsed = parseCommand(line);
  if (parsed.ok && parsed.value.verb === "help") return helpReply(parsed.value.topic, asker.locale);
  return requestAccess(ctx, asker);
}

/** Opens (or re-opens, past the quiet day) the person's request and tells the admins; see {@link answerStranger}. */
export async function requestAccess(ctx: ServiceContext, asker: AccessAsker): Promise<Reply> {
  const now = ctx.clock();
  const existing = await findAccessRequest(ctx.db, { platform: asker.platform, externalId: asker.externalId });
  const pending = () => say(t(asker.locale, "access.pending"));
  if (onAccessAsk(existing, now) === "pending") return pending();
  const admins = await adminsFor(ctx, asker.platform);
  const opened = await openAccessRequest(ctx.db, asker, existing, now, (id) => admins.map((admin) => ({ to: { kind: "member", memberId: admin.id }, reply: accessCard(ctx, asker, id, admin.locale) })));
  // Null: a second ask at the same moment opened it first, and the admins were asked by that one.
  return opened === null ? pending() : say(t(asker.locale, "access.asked"));
}

/**
 * The admins who hear of a request: those reachable on the platform the person used, so the card arrives where
 * the person is; every admin when none is.
 */
async function adminsFor(ctx: ServiceContext, platform: string): Promise<MemberRecord[]> {
  const admins = (await listMembers(ctx.db)).filter((m) => m.active && m.role === "admin");
  const there = admins.filter((m) => (platform === "slack" ? m.slackUserId : platform === "wecom" ? m.wecomUserId : null) !== null);
  return there.length > 0 ? there : admins;
}

/** An admin's card for a request: who asked and where, [Add as rep in <team>] for each team, and [Ignore]. */
export function accessCard(ctx: ServiceContext, asker: AccessAsker, requestId: number, locale: Locale): Reply {
  const platform = asker.platform === "slack" || asker.platform === "wecom" ? t(locale, `platform.${asker.platform}`) : asker.platform;
  const text = t(locale, "access.card", { name: asker.displayName, platform, id: asker.externalId, request: requestId });
  const grants: Button[] = ctx.playbook.teams.map((team) => ({
    label: t(locale, "access.grant-as", { role: roleName(ctx.playbook, team.key, "rep", locale), team: pick(team.name, locale) }),
    command: `funnel access grant ${requestId} ${team.key} rep`,
  }));
  const hint = t(locale, "access.card.hint", { command: shownCommand(`funnel access grant ${requestId} ${t(locale, "access.card.roles")}`, locale) });
  return {
    text: `${text}\n${hint}`, ephemeral: false,
    blocks: [
      { kind: "text", text },
      { kind: "buttons", buttons: [...grants, { label: t(locale, "access.ignore"), command: `funnel access ignore ${requestId}`, style: "danger" }] },
      { kind: "text", text: hint },
    ],
  };
}

/**
 * `funnel access grant <request> <team> <role>`: the person joins `team` as `role` through the same path and the
 * same permission table as `/funnel member add` (a manager grants only into their own team), under the identity
 * they asked with, in their language; the request is marked granted and the person told, in one transaction.
 */
export async function grantAccess(ctx: ServiceContext, actor: Actor, requestId: number, teamKey: string, role: Role): Promise<Reply> {
  const refuse = (error: DomainError) => renderError(error, actor.locale, ctx.playbook);
  const request = await pendingRequest(ctx, requestId);
  if (!request.ok) return refuse(request.error);
  const person = request.value;
  const added = await putMember(ctx, actor, { who: refOf(person), team: teamKey, role, displayName: person.displayName, locale: person.locale });
  if (!added.ok) return refuse(added.error);
  const { member, team } = added.value;
  const help = shownCommand("lead help", member.locale);
  const told: OutgoingMessage = {
    to: { kind: "member", memberId: member.id },
    reply: say(t(member.locale, "access.granted.you", { by: actor.displayName, role: roleName(ctx.playbook, team.key, role, member.locale), team: pick(team.name, member.locale), help }), undefined, false),
  };
  if (!(await closeAccessRequest(ctx.db, person.id, "granted", actor.id, ctx.clock(), [told]))) return refuse(await decidedError(ctx, requestId));
  return say(t(actor.locale, "access.granted", { name: member.displayName, team: pick(team.name, actor.locale), role: roleName(ctx.playbook, team.key, role, actor.locale) }), undefined, false);
}

/** `funnel access ignore <request>`: a manager or admin closes it; the person is told, and may ask again after a day. */
export async function ignoreAccess(ctx: ServiceContext, actor: Actor, requestId: number): Promise<Reply> {
  const refuse = (error: DomainError) => renderError(error, actor.locale, ctx.playbook);
  const allowed = mayAnswerAccess(actor);
  if (!allowed.ok) return refuse(allowed.error);
  const request = await pendingRequest(ctx, requestId);
  if (!request.ok) return refuse(request.error);
  const person = request.value;
  const platform = person.platform === "wecom" ? "wecom" : "slack";
  const told: OutgoingMessage = {
    to: { kind: "person", platform, externalId: person.externalId },
    reply: say(t(person.locale, "access.ignored.you"), undefined, false),
  };
  if (!(await closeAccessRequest(ctx.db, person.id, "ignored", actor.id, ctx.clock(), [told]))) return refuse(await decidedError(ctx, requestId));
  return say(t(actor.locale, "access.ignored", { name: person.displayName, id: person.id }), undefined, false);
}

async function pendingRequest(ctx: ServiceContext, id: number): Promise<{ ok: true; value: AccessRequest } | { ok: false; error: DomainError }> {
  const request = await findAccessRequest(ctx.db, { id });
  if (!request) return err("access-request-not-found", { id });
  const open = mayDecideAccess(request);
  return open.ok ? { ok: true, value: request } : open;
}

/** Why a request another admin answered first cannot be answered again. */
async function decidedError(ctx: ServiceContext, id: number): Promise<DomainError> {
  const request = await findAccessRequest(ctx.db, { id });
  const decided = request ? mayDecideAccess(request) : err("access-request-not-found", { id });
  return decided.ok ? { code: "already-done", details: {} } : decided.error;
}

/** The person a request names, as the platform they asked on names them. */
function refOf(request: AccessRequest): MemberRef {
  return request.platform === "wecom"
    ? { kind: "wecom", userId: request.externalId }
    : { kind: "slack", userId: request.externalId, name: request.displayName };
}
