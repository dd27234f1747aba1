import type { Locale } from "../commands/reply.js";

/** One person as a platform's directory knows them. */
export interface DirectoryPerson {
  /** Their user id on the platform (a Slack user id, a WeCom UserID). */
  readonly id: string;
  readonly name: string;
  /** Their language, when the platform says (Slack's `include_locale`); null when it does not (WeCom). */
  readonly locale: Locale | null;
  readonly email: string | null;
  /** False for bots, Slackbot and deactivated accounts (WeCom: disabled or departed): never made members. */
  readonly member: boolean;
}

/** Why a directory could not be read; each is a one-line message to the admin. */
export type DirectoryErrorCode =
  /** The channel (or department) does not exist, or the bot cannot see it. */
  | "not-found"
  /** The token lacks a scope the call needs; `needed` names it when the platform says. */
  | "missing-scope"
  /** The platform kept refusing (rate limits past the retries, outages). */
  | "unavailable";

/** A directory read that failed; nothing has been written when it is thrown. */
export class DirectoryError extends Error {
  constructor(readonly code: DirectoryErrorCode, message: string) {
    super(message);
    this.name = "DirectoryError";
  }
}

/** A platform's people: a channel's or department's members, and one person. Implemented by each platform. */
export interface Directory {
  readonly platform: "slack" | "wecom";
  /** Every member of a channel (Slack) or department (WeCom), all pages read, each with their details. */
  members(group: string): Promise<DirectoryPerson[]>;
  /** One person, or null when the platform does not know them. */
  person(id: string): Promise<DirectoryPerson | null>;
  /**
   * The person with this email (Slack's `users.lookupByEmail`), or null when nobody has it. Absent where the
   * platform has no such lookup for the app (WeCom's needs the email field newer apps no longer get).
   */
  byEmail?(email: string): Promise<DirectoryPerson | null>;
}
