import type { MentionReader } from "../../commands/member-ref.js";
import { readHandle } from "../../commands/member-ref.js";

/**
 * Slack's way of naming people: a mention as Slack escapes it in a slash command's text (`<@U123|name>`,
 * `<@W123>`), or a member's handle as anywhere else.
 */
export const readSlackMention: MentionReader = (text) => {
  const mention = /^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$/.exec(text.trim());
  if (mention) return { kind: "slack", userId: mention[1]!, name: mention[2] || null };
  return /^<@/.test(text.trim()) ? null : readHandle(text);
};
