import { err, ok, type Result } from "./errors.js";
import type { Playbook, Reason } from "./playbook.js";

/** A reason resolved against a playbook list: the key, and whatever free text followed it. */
export interface ResolvedReason {
  readonly code: string;
  readonly text: string | null;
}

/**
 * Reads a typed reason: its first word is a key from the list (`price`), its number in the list (`2`) or
 * its label in either language (`价格`); the rest is free text. Anything else is refused with the list.
 */
export function resolveReason(playbook: Playbook, listKey: string, typed: string): Result<ResolvedReason> {
  const list: readonly Reason[] = playbook.reasons[listKey] ?? [];
  const trimmed = typed.trim();
  if (!trimmed) return err("reason-required", { list: listKey, reasons: list });
  const lower = trimmed.toLowerCase();
  const byLabel = list.find((r) => [r.label.en.toLowerCase(), r.label.zh].some((label) => lower.startsWith(label)));
  const [first = "", ...rest] = trimmed.split(/\s+/);
  const index = /^\d{1,2}$/.test(first) ? list[Number(first) - 1] : undefined;
  const byKey = list.find((r) => r.key === first.toLowerCase()) ?? index;
  if (byKey) return ok({ code: byKey.key, text: rest.join(" ") || null });
  if (byLabel) {
    const label = lower.startsWith(byLabel.label.en.toLowerCase()) ? byLabel.label.en : byLabel.label.zh;
    return ok({ code: byLabel.key, text: trimmed.slice(label.length).trim() || null });
  }
  return err("unknown-reason", { typed: first, list: listKey, reasons: list });
}
