import { findMember } from "../store/members.js";
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
