import { findActor, findMember, linkIdentity, type MemberRecord } from "../store/members.js";
import type { ServiceContext } from "./context.js";

/** What a lookup by email found: the Slack id, or null with a note saying why not (none when nobody has the email). */
export interface EmailMatch {
  readonly id: string | null;
  readonly note?: string;
}

/**
 * The Slack id of the person with this email (`users.lookupByEmail`), so a member added or declared by email is
 * the same person when they use Slack. Null when Slack is not configured, nobody there has the email, the
 * account is a bot or deactivated, or another member (not `handle`) already holds the id; Slack failing is a
 * note, never an error, so adding a member never depends on Slack answering.
 */
export async function slackIdByEmail(ctx: ServiceContext, email: string, handle: string): Promise<EmailMatch> {
  const slack = ctx.directories?.slack;
  if (!slack?.byEmail) return { id: null };
  try {
    const person = await slack.byEmail(email);
    if (!person?.member) return { id: null };
    const holder = await findMember(ctx.db, { platform: "slack", externalId: person.id });
    if (holder && holder.handle !== handle) return { id: null, note: `Slack's ${person.id} (${email}) is ${holder.handle}'s; left unlinked` };
    return { id: person.id };
  } catch (error) {
    return { id: null, note: `no Slack id looked up for ${email}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * The active member whose email this platform user has, given this identity when they have none on the
 * platform yet: someone imported from WeCom or declared by email who uses Slack for the first time is
 * themselves, not a stranger asking for access. Null when nobody active has the email, or the member who has
 * it is already someone else on this platform.
 */
export async function recognizeByEmail(ctx: ServiceContext, platform: "slack" | "wecom", externalId: string, email: string): Promise<MemberRecord | null> {
  const member = await findActor(ctx.db, { email: email.toLowerCase() });
  if (!member || (platform === "slack" ? member.slackUserId : member.wecomUserId)) return null;
  const linked = await linkIdentity(ctx.db, member.id, platform, externalId);
  return linked.ok ? findActor(ctx.db, { id: member.id }) : null;
}
