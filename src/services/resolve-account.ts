import type { AccountRef } from "../commands/command.js";
import { err, ok, type Result } from "../domain/errors.js";
import { findAccount, findAccountsByPrefix, type AccountWithOwner } from "../store/accounts.js";
import type { ServiceContext } from "./context.js";

/** Finds the one account a person means by `#id`, id, or a unique prefix of its name or domain. */
export async function resolveAccount(ctx: ServiceContext, ref: AccountRef): Promise<Result<AccountWithOwner>> {
  if (ref.kind === "id") {
    const found = await findAccount(ctx.db, ref.id);
    return found ? ok(found) : err("account-not-found", { ref: `#${ref.id}` });
  }
  const matches = await findAccountsByPrefix(ctx.db, ref.text);
  const lower = ref.text.toLowerCase();
  const exact = matches.filter((m) => m.company.toLowerCase() === lower || m.domain?.toLowerCase() === lower);
  const chosen = exact.length === 1 ? exact : matches;
  if (chosen.length === 0) return err("account-not-found", { ref: ref.text });
  if (chosen.length > 1) {
    return err("account-ambiguous", { ref: ref.text, candidates: chosen.slice(0, 5).map((m) => `#${m.id} ${m.company}`) });
  }
  const found = await findAccount(ctx.db, chosen[0]!.id);
  return found ? ok(found) : err("account-not-found", { ref: ref.text });
}
