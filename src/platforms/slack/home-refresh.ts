import type { Actor } from "../../domain/account.js";

/** How the App Home refreshes are paced. */
export interface HomeRefreshOptions {
  /** At most one refresh per user in this window, and each change shown within it. */
  readonly windowMs: number;
  /** Rebuilds and publishes one member's App Home. */
  readonly publish: (userId: string, actor: Actor) => Promise<void>;
  /** A refresh that failed; it is not retried (the next change refreshes again). */
  readonly onError: (error: unknown) => void;
  /** After this long a refresh still waiting for Slack no longer holds back the next one. */
  readonly holdMs?: number;
  /** The clock, in milliseconds (Date.now by default). */
  readonly now?: () => number;
}

/** A refresh owed to one user: whom it shows, when it may start, by when it must. */
interface Owed {
  actor: Actor;
  readonly due: number;
  readonly deadline: number;
}

const HOLD_MS = 250;

/**
 * Paces Slack's App Home refreshes after members' changes so they stay off the commands' way. A change owes
 * its member a refresh: at once if their last one started a window ago or more, otherwise a single trailing
 * one a window after it, which shows every change made meanwhile (it reads the accounts when it runs). Owed
 * refreshes run one at a time and only while no command is in progress; under a steady stream of commands
 * each still starts once its deadline, one window after the change that owed it, has come (behind any others
 * due by then, one at a time, none held back longer than `holdMs` by a slow publish). The commands benchmark found
 * twenty refreshes landing at once on the requests then in flight, ~5 ms of event loop each.
 */
export class HomeRefresher {
  private readonly last = new Map<string, number>();
  private readonly owed = new Map<string, Owed>();
  private commands = 0;
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private readonly holdMs: number;

  constructor(private readonly options: HomeRefreshOptions) {
    this.now = options.now ?? Date.now;
    this.holdMs = options.holdMs ?? HOLD_MS;
  }

  /** A change by (or for) this member: their App Home owes a refresh. */
  changed(userId: string, actor: Actor): void {
    if (this.stopped) return;
    const owed = this.owed.get(userId);
    if (owed) {
      owed.actor = actor; // the refresh already owed reads the accounts when it runs: it shows this change too
      return;
    }
    const now = this.now();
    const last = this.last.get(userId);
    const due = last === undefined ? now : Math.max(now, last + this.options.windowMs);
    this.owed.set(userId, { actor, due, deadline: Math.max(due, now + this.options.windowMs) });
    this.pump();
  }

  /** A command began: owed refreshes wait for it (up to their deadline). Call the returned function when it ends. */
  commandStarted(): () => void {
    this.commands += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.commands -= 1;
      if (this.commands === 0) this.pump();
    };
  }

  /** Drops what is owed and plans nothing more (a refresh already running finishes on its own). */
  stop(): void {
    this.stopped = true;
    this.owed.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Starts the next owed refresh that may run now, or sets a timer for when one may. */
  private pump(): void {
    if (this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = this.now();
    const idle = this.commands === 0;
    let next: [string, Owed] | null = null;
    let wake = Infinity;
    for (const entry of this.owed) {
      const from = idle ? entry[1].due : entry[1].deadline;
      if (from <= now) {
        if (!next || entry[1].deadline < next[1].deadline) next = entry;
      } else {
        wake = Math.min(wake, from);
      }
    }
    if (!next) {
      if (wake < Infinity) {
        this.timer = setTimeout(() => this.pump(), wake - now);
        this.timer.unref();
      }
      return;
    }
    const [userId, { actor }] = next;
    this.owed.delete(userId);
    this.last.set(userId, now);
    this.running = true;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(hold);
      this.running = false;
      this.pump();
    };
    const hold = setTimeout(release, this.holdMs);
    hold.unref();
    this.options.publish(userId, actor).catch(this.options.onError).finally(release);
  }
}
