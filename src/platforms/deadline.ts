import type { Delivery } from "../jobs/outbox-worker.js";

// The outbox gives each delivery a deadline well inside its claim's lease (see OutboxWorker): every platform
// request the delivery makes is aborted with it, its connection closed, rather than raced and left open.

/** A fetch whose requests end with `deadline` too: for clients that take a fetch but no signal per call. */
export function fetchWithin(deadline: AbortSignal): typeof fetch {
  return (input, init) => {
    const own = init?.signal;
    if (!own) return fetch(input, { ...init, signal: deadline });
    // The request's own signal is an AbortSignal.timeout, which its timer holds only weakly: inside
    // AbortSignal.any nothing else does, and Node 20 collects it before it fires (nodejs/node#57736). The
    // request keeps it until it ends.
    return fetch(input, { ...init, signal: AbortSignal.any([own, deadline]) }).finally(() => own);
  };
}

/**
 * Updates each of an account's posted cards at once (each is its own message, so their order does not
 * matter, and one that hangs does not hold back the others): the ids of those updated, and the errors of
 * the rest.
 */
export async function updateCopies<C extends { readonly id: number }>(cards: readonly C[], update: (card: C) => Promise<void>): Promise<{ done: number[]; errors: unknown[] }> {
  const settled = await Promise.allSettled(cards.map(async (card) => {
    await update(card);
    return card.id;
  }));
  return {
    done: settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : [])),
    errors: settled.flatMap((s) => (s.status === "rejected" ? [s.reason as unknown] : [])),
  };
}

/**
 * Of the outcomes of a row's failed copies, the one the row gets: a throttle (its Retry-After must be
 * honoured), else a retry (the copies that fail for good are tried again with it, and park the row once
 * they are all that is left), else a failure.
 */
export function outcomeOfCopies(failures: readonly Delivery[]): Delivery | undefined {
  return failures.find((d) => d.kind === "retry" && d.afterMs !== undefined) ?? failures.find((d) => d.kind === "retry") ?? failures[0];
}
