import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { Locale, OutgoingMessage } from "../commands/reply.js";
import type { Database } from "../store/database.js";
import { findMember, listMembers } from "../store/members.js";
import { claimDue, enqueue, markParked, markRetry, markSent, releaseClaims, type OutboxRow } from "../store/outbox.js";

/** What a platform made of one delivery attempt. */
export type Delivery =
  /** `retire`: posted cards the delivery updated for the last time, retired with the mark (one round trip). */
  | { kind: "sent"; retire?: readonly number[] }
  /** Worth trying again; `afterMs` is the platform's Retry-After, never retried sooner. */
  | { kind: "retry"; error: string; afterMs?: number }
  /** Will never succeed (unknown channel, revoked app): park at once. */
  | { kind: "failed"; error: string };

/**
 * Sends one outbox message through the platform its target lives on. Every platform call it makes must end
 * when `deadline` aborts (then it answers a retry): that is what keeps a delivery inside its claim's lease.
 */
export type Deliver = (row: OutboxRow, deadline: AbortSignal) => Promise<Delivery>;

/** What an OutboxWorker needs; every number has a default fit for Slack and WeCom. */
export interface OutboxWorkerOptions {
  readonly db: Database;
  readonly deliver: Deliver;
  readonly clock: () => Date;
  /** Unique per process: claims are taken and checked under this name. Default: host, pid and a random tag. */
  readonly workerId?: string;
  readonly log?: Logger;
  /** Attempts before a message is parked and the admins are told. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** How long a claim holds; a worker that died mid-pass loses its rows after this. A delivery may take a quarter of it. */
  readonly leaseMs?: number;
  readonly batch?: number;
  /** In [0, 1): spreads retries so that replicas do not hit a recovering platform together. */
  readonly random?: () => number;
}

/** What one pass did. */
export interface PassResult {
  readonly sent: number;
  readonly retried: number;
  readonly parked: number;
}

const ALERT_TEXT: Record<Locale, (target: string, attempts: number, error: string) => string> = {
  en: (target, attempts, error) => `⚠️ A message to ${target} could not be delivered after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${error}`,
  "zh-CN": (target, attempts, error) => `⚠️ 发给${target}的消息尝试 ${attempts} 次后仍未送达：${error}`,
};
const TARGET_LABEL: Record<Locale, Record<"member" | "team" | "cards" | "response", (name: string) => string>> = {
  en: { member: (name) => `member ${name}`, team: (key) => `team ${key}`, cards: (id) => `the cards of account #${id}`, response: (platform) => `a late reply on ${platform}` },
  "zh-CN": { member: (name) => `成员 ${name}`, team: (key) => `团队 ${key}`, cards: (id) => `客户 #${id} 的卡片`, response: (platform) => `${platform} 上的延迟回复` },
};

/** A target fit for logs: a response target holds a reply URL, which is as good as a credential. */
function loggable(row: OutboxRow): string {
  return row.targetKind === "response" ? row.target.split(" ")[0]! : row.target;
}

// Errors come from HTTP clients and may quote the URL; WeCom puts its access token in the query string.
const SECRETS = [/https:\/\/hooks\.slack\.com\/\S+/g, /(access_token=)[^&\s"']+/gi, /\bx(?:ox[abprs]|app)-[\w-]+/g, /(bearer\s+)[\w.~+/-]+=*/gi, /(key=)[\w-]{16,}/gi];

/** An error message safe to store, log and show an admin: secrets removed, one line, bounded length. */
function scrub(error: string): string {
  let text = error.replace(/\s+/g, " ").trim();
  for (const pattern of SECRETS) text = text.replace(pattern, (_match, prefix?: string) => `${typeof prefix === "string" ? prefix : ""}[redacted]`);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text || "unknown error";
}

/**
 * Drains the outbox: claims due messages, hands each to `deliver`, and records the outcome. Failed
 * attempts are retried with exponential back-off and jitter, never sooner than the platform's
 * Retry-After; after `maxAttempts` (or a permanent failure) the message is parked and every admin gets
 * an alert. Any number of workers may run against one database: claims keep them off each other's rows.
 */
export class OutboxWorker {
  private readonly db: Database;
  private readonly deliver: Deliver;
  private readonly clock: () => Date;
  private readonly workerId: string;
  private readonly log: Logger | undefined;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;
  /** True only while stop() waits for the pass in progress, which then hands the rest of its batch back. */
  private halting = false;
  /** Aborted when stop() has waited its grace for the deliveries in flight: their requests end, they are retried. */
  private halt = new AbortController();
  private intervalMs = 500;
  /** Set while started: stops listening to the database's news of queued messages. */
  private unsubscribe: (() => void) | null = null;
  /** A wake-up arrived during a pass: run another as soon as it ends. */
  private again = false;
  /** `idle()` callers, resolved by the first pass that began after they called and found nothing due. */
  private idleWaiters: (() => void)[] = [];

  constructor(options: OutboxWorkerOptions) {
    this.db = options.db;
    this.deliver = options.deliver;
    this.clock = options.clock;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.log = options.log;
    // Sixteen failures with doubling back-off (capped at 15 minutes) span 53 to 107 minutes, as the jitter
    // falls: a Slack or WeCom outage of up to about an hour delays messages, only a longer one parks them.
    this.maxAttempts = options.maxAttempts ?? 16;
    this.baseDelayMs = options.baseDelayMs ?? 2000;
    this.maxDelayMs = options.maxDelayMs ?? 15 * 60_000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.batch = options.batch ?? 20;
    this.random = options.random ?? Math.random;
  }

  /** Claims one batch and delivers it, one message at a time, in id order. */
  async runOnce(): Promise<PassResult> {
    return (await this.pass()).result;
  }

  private async pass(): Promise<{ result: PassResult; claimed: number }> {
    const claimedAt = this.clock();
    const rows = await claimDue(this.db, this.workerId, claimedAt, { limit: this.batch, leaseMs: this.leaseMs });
    const result = { sent: 0, retried: 0, parked: 0 };
    for (const [index, row] of rows.entries()) {
      // Past half the lease another worker may soon take these rows over; hand them back rather than
      // risk both sending one. Stopping hands them back too: shutdown waits for one delivery, not a batch.
      if (this.halting || this.clock().getTime() - claimedAt.getTime() > this.leaseMs / 2) {
        await releaseClaims(this.db, rows.slice(index).map((r) => r.id), this.workerId);
        break;
      }
      const outcome = await this.attempt(row);
      result[outcome] += 1;
    }
    return { result, claimed: rows.length };
  }

  private async attempt(row: OutboxRow): Promise<keyof PassResult> {
    // A delivery is started within the first half of the lease and ended (its calls aborted) a quarter of the
    // lease later, however many copies of a card it updates and however many hang: its outcome is recorded
    // before another worker may take the row over, and none of its calls is still open when one may. A stop
    // ends it sooner (see `stop`).
    // One controller per delivery, aborted by its timer or by the worker's halt (a listener removed when the
    // delivery ends), rather than AbortSignal.any, which would register every delivery on the long-lived halt.
    const budgetMs = this.leaseMs / 4;
    const deadline = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      deadline.abort(new DOMException(`not done within ${budgetMs} ms`, "TimeoutError"));
    }, budgetMs);
    timer.unref();
    const halt = this.halt.signal;
    const halted = () => deadline.abort(new DOMException("cut short by shutdown", "AbortError"));
    halt.addEventListener("abort", halted, { once: true });
    let delivery: Delivery;
    try {
      delivery = await this.deliver(row, deadline.signal);
    } catch (error) {
      delivery = { kind: "retry", error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
      halt.removeEventListener("abort", halted);
    }
    if (delivery.kind !== "sent" && halt.aborted) delivery = { ...delivery, error: `cut short by shutdown: ${delivery.error}` };
    else if (delivery.kind !== "sent" && timedOut) delivery = { ...delivery, error: `not done within ${budgetMs} ms: ${delivery.error}` };
    const now = this.clock();
    if (delivery.kind === "sent") {
      if (!(await markSent(this.db, row.id, this.workerId, now, delivery.retire))) this.lostClaim(row);
      return "sent";
    }
    const error = scrub(delivery.error);
    // A platform asking us to slow down (429 with Retry-After) is flow control, not a failure: wait exactly
    // as long as asked and do not move the message closer to being parked.
    const throttled = delivery.kind === "retry" && delivery.afterMs !== undefined;
    const attempts = throttled ? row.attempts : row.attempts + 1;
    if (delivery.kind === "retry" && (throttled || attempts < this.maxAttempts)) {
      const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** row.attempts) * (0.5 + this.random() / 2);
      const nextAt = new Date(now.getTime() + (throttled ? delivery.afterMs! : backoff));
      if (await markRetry(this.db, row.id, this.workerId, nextAt, error, { countAttempt: !throttled })) {
        this.log?.info({ outboxId: row.id, targetKind: row.targetKind, target: loggable(row), attempts, nextAt, error }, "outbox delivery will be retried");
      } else this.lostClaim(row);
      return "retried";
    }
    if (!(await markParked(this.db, row.id, this.workerId, error))) {
      this.lostClaim(row);
      return "parked";
    }
    this.log?.warn({ outboxId: row.id, targetKind: row.targetKind, target: loggable(row), attempts, error, alert: row.payload.alert }, "outbox message parked");
    if (!row.payload.alert) await this.alertAdmins(row, attempts, error, now);
    return "parked";
  }

  /** Tells every admin, in their language, that a message was given up on. */
  private async alertAdmins(row: OutboxRow, attempts: number, error: string, at: Date): Promise<void> {
    const admins = (await listMembers(this.db)).filter((m) => m.role === "admin" && m.active);
    if (admins.length === 0) return;
    const recipient = row.targetKind === "member" ? await findMember(this.db, { id: Number(row.target) }) : null;
    const messages: OutgoingMessage[] = admins.map((admin) => {
      const label = TARGET_LABEL[admin.locale];
      const target =
        row.targetKind === "member" ? label.member(recipient?.displayName ?? `#${row.target}`)
        : row.targetKind === "team" || row.targetKind === "cards" || row.targetKind === "response" ? label[row.targetKind](loggable(row))
        : loggable(row);
      const text = ALERT_TEXT[admin.locale](target, attempts, error);
      return { to: { kind: "member", memberId: admin.id }, reply: { text, blocks: [{ kind: "text", text }], ephemeral: false } };
    });
    await enqueue(this.db, messages, at, { alert: true });
  }

  private lostClaim(row: OutboxRow): void {
    // The lease ran out mid-delivery and another worker took the row over; its outcome stands.
    this.log?.warn({ outboxId: row.id, workerId: this.workerId }, "outbox claim was lost before the outcome was recorded");
  }

  /**
   * Runs passes every `intervalMs`, back to back while there is work, and at once when this process
   * commits new messages (the poll finds those of other replicas and of before a restart); passes never
   * overlap, so the order, back-off and claims of `runOnce` hold as they are.
   */
  start(intervalMs = 500): void {
    if (this.unsubscribe) return;
    this.stopped = false;
    this.halt = new AbortController();
    this.intervalMs = intervalMs;
    this.unsubscribe = this.db.queued.subscribe(() => this.wake());
    this.wake();
  }

  /** Asks a started worker for a pass now: after the one in progress, if any. */
  wake(): void {
    if (!this.unsubscribe) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /**
   * Resolves once a pass that began after the call found nothing due: everything queued before it has
   * been sent, parked or set to wait for a retry. Tests await it instead of sleeping; on a worker that
   * is not started, it runs those passes itself.
   */
  async idle(): Promise<void> {
    if (!this.unsubscribe) {
      while ((await this.pass()).claimed > 0);
      return;
    }
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.wake();
    });
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    this.again = false;
    const waiters = this.idleWaiters.splice(0);
    let claimed = -1;
    const pass = this.pass().then(
      (done) => {
        claimed = done.claimed;
      },
      (error: unknown) => this.log?.error({ error: error instanceof Error ? error.message : String(error) }, "outbox pass failed"),
    );
    this.running = pass;
    await pass;
    this.running = null;
    if (claimed === 0) for (const resolve of waiters) resolve();
    else this.idleWaiters.unshift(...waiters);
    if (this.stopped) return;
    this.schedule(claimed > 0 || this.again ? 0 : this.intervalMs);
  }

  /**
   * Stops the timer and waits for the pass in progress: it records the delivery under way and hands the rest
   * of its batch back (see `pass`), so another worker takes those rows at once rather than after the lease.
   * A delivery still under way after `graceMs` is cut short (its requests aborted) and recorded as a failed
   * attempt, to be retried (by another replica, or by this one when it starts again), so stopping stays well
   * inside a shutdown's deadline even if a platform hangs.
   * Claims are not released wholesale here: a row whose delivery this process began stays claimed until its
   * outcome is recorded, since releasing it could let another replica send it a second time.
   */
  async stop(graceMs = 2_000): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.halting = true;
    const cut = setTimeout(() => this.halt.abort(), graceMs);
    try {
      await this.running;
    } finally {
      clearTimeout(cut);
      this.halting = false;
    }
    // Nothing more will be delivered here: whoever waits for it learns so now rather than never.
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
