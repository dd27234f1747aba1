import { webApi } from "@slack/bolt";
import type { Locale } from "../../commands/reply.js";
import { retrying } from "../retry.js";
import { DirectoryError, type Directory, type DirectoryPerson } from "../../services/directory.js";

/** Slack's locale (`zh-CN`, `zh-TW`, `en-US`, `ja-JP` …) as one of ours: Chinese locales read Chinese, the rest English. */
export function localeOfSlack(locale: string | undefined): Locale {
  return /^zh\b/i.test(locale ?? "") ? "zh-CN" : "en";
}

/** `users.info`'s user as a {@link DirectoryPerson}. */
export function personOf(user: NonNullable<webApi.UsersInfoResponse["user"]>): DirectoryPerson {
  const name = user.profile?.real_name || user.real_name || user.profile?.display_name || user.name || user.id || "";
  return {
    id: user.id ?? "",
    name,
    locale: user.locale ? localeOfSlack(user.locale) : null,
    email: user.profile?.email?.toLowerCase() ?? null,
    member: !user.is_bot && !user.deleted && user.id !== "USLACKBOT",
  };
}

/**
 * One user's name and language from `users.info` (with `include_locale`), or null when Slack does not answer
 * within `timeoutMs` or refuses: a stranger is then answered in English under the name the request carried.
 */
export async function lookUpSlackUser(client: webApi.WebClient, userId: string, timeoutMs = 1_000): Promise<DirectoryPerson | null> {
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

/** How the directory waits and how often it asks again after a 429. */
export interface SlackDirectoryOptions {
  /** Tries per call on 429 before giving up (each waits the Retry-After Slack sent). */
  readonly rateLimitTries?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

// conversations.members: Slack returns at most this many per page (fewer is allowed; `next_cursor` says whether more).
const PAGE = 200;

/**
 * Slack's directory over the Web API: a channel's members (`conversations.members`, every page by cursor) and
 * each person's name, locale and email (`users.info` with `include_locale`). A 429 is waited out exactly as
 * long as its Retry-After asks, a few times per call; anything else ends the read with a one-line reason.
 * Scopes: channels:read and groups:read (public and private channels), users:read, users:read.email (emails in
 * users.info, and users.lookupByEmail).
 */
export function slackDirectory(client: webApi.WebClient, options: SlackDirectoryOptions = {}): Directory {
  // A 429 is waited out as long as its Retry-After asks; anything else ends the read.
  const call = <T>(what: string, run: () => Promise<T>): Promise<T> => retrying(run, {
    tries: options.rateLimitTries ?? 5, sleep: options.sleep, failed: (error) => readError(what, error),
    waitMs: (error) => ((error as { code?: unknown }).code === webApi.ErrorCode.RateLimitedError ? ((error as { retryAfter?: number }).retryAfter ?? 1) * 1000 : null),
  });
  const person = async (id: string): Promise<DirectoryPerson | null> => {
    try {
      const found = await call(`users.info ${id}`, () => client.users.info({ user: id, include_locale: true }));
      return found.user ? personOf(found.user) : null;
    } catch (error) {
      if (error instanceof DirectoryError && error.code === "not-found") return null;
      throw error;
    }
  };
  return {
    platform: "slack",
    person,
    async byEmail(email) {
      try {
        const found = await call(`users.lookupByEmail ${email}`, () => client.users.lookupByEmail({ email }));
        return found.user ? personOf(found.user as NonNullable<webApi.UsersInfoResponse["user"]>) : null;
      } catch (error) {
        if (error instanceof DirectoryError && error.code === "not-found") return null;
        throw error;
      }
    },
    async members(channel) {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await call(`conversations.members ${channel}`, () => client.conversations.members({ channel, limit: PAGE, ...(cursor ? { cursor } : {}) }));
        ids.push(...(page.members ?? []));
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor);
      const people: DirectoryPerson[] = [];
      for (const id of new Set(ids)) {
        const found = await person(id);
        // Someone who left between the two calls is simply not there.
        if (found) people.push(found);
      }
      return people;
    },
  };
}

/** A Slack failure as a {@link DirectoryError} with a line an admin can act on. */
function readError(what: string, error: unknown): DirectoryError {
  const data = (error as { data?: { error?: unknown; needed?: unknown } }).data;
  const slackError = typeof data?.error === "string" ? data.error : null;
  if (slackError === "channel_not_found" || slackError === "user_not_found" || slackError === "users_not_found" || slackError === "not_in_channel" || slackError === "method_not_supported_for_channel_type") {
    const hint = slackError === "channel_not_found" ? " (invite the bot to a private channel first: /invite @funnelbot)"
      : slackError === "not_in_channel" ? " (invite the bot back: /invite @funnelbot, then import again)" : "";
    return new DirectoryError("not-found", `${what}: Slack says ${slackError}${hint}.`);
  }
  if (slackError === "missing_scope") {
    const needed = typeof data?.needed === "string" ? data.needed : "see manifests/slack.yaml";
    return new DirectoryError("missing-scope", `${what}: the bot token lacks the ${needed} scope; add it to the app and reinstall it.`);
  }
  if ((error as { code?: unknown }).code === webApi.ErrorCode.RateLimitedError) return new DirectoryError("unavailable", `${what}: Slack kept answering 429 (rate limited); try again later.`);
  return new DirectoryError("unavailable", `${what}: ${slackError ?? (error instanceof Error ? error.message : String(error))}.`);
}
