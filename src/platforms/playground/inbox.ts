import type { Locale, Reply } from "../../commands/reply.js";

/** A message the outbox delivered to a playground conversation. */
export interface PlaygroundMessage {
  /** The outbox row that carried it: a redelivered row is recognised by it. */
  readonly id: number;
  readonly at: Date;
  readonly reply: Reply;
  /** The language it was rendered in (the member's or the team's). */
  readonly locale: Locale;
  /** Set once a move updated the card in place. */
  readonly updatedAt: Date | null;
}

/** Messages kept per conversation; older ones scroll away, as in a chat's history. */
const KEEP = 200;

/**
 * The playground's channels and direct messages, in memory: what Slack's or WeCom's servers hold for the
 * other adapters. A conversation is named like an outbox target, `team:<key>` or `member:<id>`. A
 * restart starts with empty conversations (the accounts and their histories are in the database).
 */
export class PlaygroundInbox {
  private readonly conversations = new Map<string, PlaygroundMessage[]>();
  private changes = 0;

  /** Grows with every post and update, so the page asks for messages only when something changed. */
  get version(): number {
    return this.changes;
  }

  /** Adds a message; false when that outbox row was already delivered here (a retry for another platform). */
  post(conversation: string, message: Omit<PlaygroundMessage, "updatedAt">): boolean {
    const messages = this.conversations.get(conversation) ?? [];
    if (messages.some((m) => m.id === message.id)) return false;
    messages.push({ ...message, updatedAt: null });
    if (messages.length > KEEP) messages.splice(0, messages.length - KEEP);
    this.conversations.set(conversation, messages);
    this.changes++;
    return true;
  }

  /** Replaces a posted card's content in place; false when it is no longer held. */
  update(conversation: string, id: number, reply: Reply, at: Date): boolean {
    const messages = this.conversations.get(conversation) ?? [];
    const index = messages.findIndex((m) => m.id === id);
    if (index < 0) return false;
    messages[index] = { ...messages[index]!, reply, updatedAt: at };
    this.changes++;
    return true;
  }

  /** A conversation's messages, oldest first. */
  messages(conversation: string): readonly PlaygroundMessage[] {
    return this.conversations.get(conversation) ?? [];
  }
}
