import type { webApi } from "@slack/bolt";
import type { Locale } from "../../commands/reply.js";

/** A Slack user as funnelbot needs them: a name to show, a language, an email, and whether they can be a member. */
export interface SlackPerson {
  readonly userId: string;
  readonly name: string;
  readonly locale: Locale;
  readonly email: string | null;
  /** Bots, Slackbot and deactivated accounts are never members. */
  readonly member: boolean;
}

/** Slack's locale (`zh-CN`, `zh-TW`, `en-US`, `ja-JP` …) as one of ours: Chinese locales read Chinese, the rest English. */
export function localeOfSlack(locale: string | undefined): Locale {
  return /^zh\b/i.test(locale ?? "") ? "zh-CN" : "en";
}

/** `users.info`'s user as a {@link SlackPerson}. */
export function personOf(user: NonNullable<webApi.UsersInfoResponse["user"]>): SlackPerson {
  const name = user.profile?.real_name || user.real_name || user.profile?.display_name || user.name || user.id || "";
  return {
    userId: user.id ?? "",
    name,
    locale: localeOfSlack(user.locale),
    email: user.profile?.email?.toLowerCase() ?? null,
    member: !user.is_bot && !user.deleted && user.id !== "USLACKBOT",
  };
}

/**
 * One user's name and language from `users.info` (with `include_locale`), or null when Slack does not answer
 * within `timeoutMs` or refuses: a stranger is then answered in English under the name the request carried.
 */
export async function lookUpSlackUser(client: webApi.WebClient, userId: string, timeoutMs = 1_000): Promise<SlackPerson | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
    timer.unref();
  });
  try {
    const asked = client.users.info({ user: userId, include_locale: true }).then((r) => (r.ok && r.user ? personOf(r.user) : null), () => null);
    return await Promise.race([asked, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
