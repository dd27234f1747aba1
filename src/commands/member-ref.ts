import type { MemberRef } from "./command.js";

/** Reads the person a command names, as written on one platform; null when it is not a way that platform names people. */
export type MentionReader = (text: string) => MemberRef | null;

/** The CLI's and the playground's way: a member's handle, with or without `@`. */
export const readHandle: MentionReader = (text) => {
  const handle = text.trim().replace(/^[@＠]/, "").toLowerCase();
  return /^[a-z0-9._-]{1,64}$/.test(handle) ? { kind: "handle", handle } : null;
};
