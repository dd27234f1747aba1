import type { AccountRef } from "../commands/command.js";
import type { StageEventRecord } from "../domain/account.js";
import { err, ok, type Result } from "../domain/errors.js";
import { commandFacts, findAccount, findAccountsByPrefix, findDelivery, type AccountWithOwner, type CommandFacts } from "../store/accounts.js";
import type { ServiceContext } from "./context.js";

/** Finds the one account a person means by `#id`, id, or a unique prefix of its name or domain. */
export async function resolveAccount(ctx: ServiceContext, ref: AccountRef): Promise<Result<AccountWithOwner>> {
  const id = ref.kind === "id" ? ok(ref.id) : await resolveAccountId(ctx, ref.text);
  if (!id.ok) return id;
  const found = await findAccount(ctx.db, id.value);
  return found ? ok(found) : notFound(ref);
}

/** The id of the one account whose name or domain is, or else starts with, `text`. */
async function resolveAccountId(ctx: ServiceContext, text: string): Promise<Result<number>> {
  const matches = await findAccountsByPrefix(ctx.db, text);
  const lower = text.toLowerCase();
  const exact = matches.filter((m) => m.company.toLowerCase() === lower || m.domain?.toLowerCase() === lower);
  const chosen = exact.length === 1 ? exact : matches;
  if (chosen.length === 0) return err("account-not-found", { ref: text });
  if (chosen.length > 1) {
    return err("account-ambiguous", { ref: text, candidates: chosen.slice(0, 5).map((m) => `#${m.id} ${m.company}`) });
  }
  return ok(chosen[0]!.id);
}

function notFound<T>(ref: AccountRef): Result<T> {
  return err("account-not-found", { ref: ref.kind === "id" ? `#${ref.id}` : ref.text });
}

/** An account as a change to it is decided on: with its owner and its latest transition. */
export interface AccountFacts {
  readonly loaded: AccountWithOwner;
  readonly lastTransition: StageEventRecord | null;
}

/** How a change to an account starts: a repeated request's first answer, or the account's facts (or why not). */
export type AccountStart = { readonly repeat: true; readonly first: unknown } | { readonly repeat: false; readonly facts: Result<AccountFacts> };

/**
 * What a change to an account reads first. Named by id (every button, most commands), one statement holds the
 * stored answer of a repeated delivery key, the account, its owner and its last transition. Named by text, the
 * key is looked up before the name (a repeat is answered even if the name now means something else).
 */
export async function startOnAccount(ctx: ServiceContext, ref: AccountRef, key: string | null): Promise<AccountStart> {
  let id: number;
  if (ref.kind === "id") id = ref.id;
  else {
    const first = key ? await findDelivery(ctx.db, key) : undefined;
    if (first !== undefined) return { repeat: true, first };
    const resolved = await resolveAccountId(ctx, ref.text);
    if (!resolved.ok) return { repeat: false, facts: resolved };
    id = resolved.value;
    key = null;
  }
  return startOf(await commandFacts(ctx.db, id, key), ref);
}

/** How a change starts, from what {@link commandFacts} (or `senderFacts`) read for the account `ref` names. */
export function startOf(read: CommandFacts, ref: AccountRef): AccountStart {
  if (read.first !== undefined) return { repeat: true, first: read.first };
  return { repeat: false, facts: read.loaded ? ok({ loaded: read.loaded, lastTransition: read.lastTransition }) : notFound(ref) };
}

/** The facts of an account named by id, read afresh (a change deciding again after a lost race). */
export async function accountFacts(ctx: ServiceContext, id: number): Promise<Result<AccountFacts>> {
  const read = await commandFacts(ctx.db, id, null);
  return read.loaded ? ok({ loaded: read.loaded, lastTransition: read.lastTransition }) : notFound({ kind: "id", id });
}
