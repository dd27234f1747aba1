import type { MentionReader } from "../../commands/member-ref.js";

/**
 * WeCom's way of naming people in a text message: a member's UserID (the account name in the admin console),
 * typed bare or as `@name`. WeCom's app chats carry no structured mentions, so the UserID is all there is.
 */
export const readWecomMention: MentionReader = (text) => {
  const userId = text.trim().replace(/^[@＠]/, "");
  // UserIDs are 1–64 letters, digits, `_`, `-`, `.` and `@` (WeCom's own rule for the field).
  return /^[A-Za-z0-9_.@-]{1,64}$/.test(userId) ? { kind: "wecom", userId } : null;
};
