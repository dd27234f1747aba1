import type { Locale, Reply } from "../commands/reply.js";
import { renderError } from "../commands/render-reply.js";
import { fail } from "../domain/errors.js";
import type { ServiceContext } from "../services/context.js";
import { isDatabaseBusy } from "../store/sql.js";

/** The "busy, try again" answer, in the person's language, for a command the database could not take in time. */
export function busyReply(ctx: ServiceContext, locale: Locale): Reply {
  return renderError(fail("busy"), locale, ctx.playbook);
}

/** The busy answer in both languages, for when the database was too slow even to say who is asking. */
export function busyReplyInBoth(ctx: ServiceContext): Reply {
  const [en, zh] = [busyReply(ctx, "en"), busyReply(ctx, "zh-CN")];
  return { ...en, text: `${en.text}\n${zh.text}`, blocks: [...en.blocks, ...zh.blocks] };
}

/**
 * A command's reply, or the busy answer when the database could not be had in time (nothing was written):
 * a burst gets "try again" within the platform's deadline instead of a 500. Any other error still throws.
 * `locale` is asked when the answer is needed: the person's language once the command has read who they are,
 * both languages when it could not.
 */
export async function orBusy(ctx: ServiceContext, work: Promise<Reply>, locale: () => Locale | undefined): Promise<Reply> {
  try {
    return await work;
  } catch (error) {
    if (!isDatabaseBusy(error)) throw error;
    const known = locale();
    return known ? busyReply(ctx, known) : busyReplyInBoth(ctx);
  }
}

/** "Working on it…" for a command slower than the platform's deadline, in the person's language (both when not yet known). */
export function workingOnIt(locale: Locale | undefined): string {
  if (locale === "zh-CN") return "处理中…";
  return locale === "en" ? "Working on it…" : "Working on it… · 处理中…";
}
