/** What a piece of work came to within a platform's answer budget. */
export type Within<T> = { readonly done: true; readonly value: T } | { readonly done: false };

/**
 * Waits for `work` at most `ms` (Slack's 3 s ack, WeCom's 5 s answer). The timer is cleared as soon as the
 * work settles, so a busy server does not carry one live timer per request for the whole budget. A
 * rejection within the budget rejects here; one after it is the caller's to catch on `work`.
 */
export async function withinBudget<T>(work: Promise<T>, ms: number): Promise<Within<T>> {
  if (ms <= 0) return { done: false };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Within<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  try {
    return await Promise.race([work.then((value): Within<T> => ({ done: true, value })), late]);
  } finally {
    clearTimeout(timer);
  }
}
