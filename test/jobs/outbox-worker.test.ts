import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OutgoingMessage } from "../../src/commands/reply.js";
import { OutboxWorker, type Deliver, type Delivery } from "../../src/jobs/outbox-worker.js";
import { upsertMember } from "../../src/store/members.js";
import { claimDue, enqueue, markSent, outboxStats, type OutboxRow } from "../../src/store/outbox.js";
import { testDatabases } from "../support/databases.js";
import { openFixture, type Fixture } from "../support/fixture.js";

function toTeam(teamKey: string, text: string): OutgoingMessage {
  return { to: { kind: "team", teamKey }, reply: { text, blocks: [{ kind: "text", text }], ephemeral: false } };
}

function toMember(memberId: number, text: string): OutgoingMessage {
  return { to: { kind: "member", memberId }, reply: { text, blocks: [{ kind: "text", text }], ephemeral: false } };
}

/** A fake platform: records every attempt and answers with whatever `answer` decides. */
function fakePlatform(answer: (row: OutboxRow, attempt: number) => Delivery | Promise<Delivery> = () => ({ kind: "sent" })) {
  const attempts: { id: number; target: string; text: string }[] = [];
  const deliver: Deliver = async (row) => {
    attempts.push({ id: row.id, target: row.target, text: row.payload.reply.text });
    return answer(row, attempts.filter((a) => a.id === row.id).length);
  };
  return { attempts, deliver, ids: () => attempts.map((a) => a.id) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(testDatabases())("outbox worker on $name", ({ url }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await openFixture(await url());
  });
  afterAll(async () => f?.close());
  // Workers claim whatever is due in the whole table: every test starts from an empty outbox.
  beforeEach(async () => {
    await f.db.prisma.outboxMessage.deleteMany();
  });

  const worker = (deliver: Deliver, options: Partial<ConstructorParameters<typeof OutboxWorker>[0]> = {}) =>
    new OutboxWorker({ db: f.db, deliver, clock: f.clock.read, workerId: "w1", random: () => 0.5, ...options });

  const row = (id: number) => f.db.prisma.outboxMessage.findUniqueOrThrow({ where: { id } });
  const idsOf = async () => (await f.db.prisma.outboxMessage.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((r) => r.id);

  it("delivers each of 100 messages exactly once, in order per target, with two workers racing", async () => {
    // Ten messages per target, shuffled (a fixed LCG) so that one target's messages sit side by side at times.
    let seed = 42;
    const targets = Array.from({ length: 100 }, (_, i) => i % 10)
      .map((t) => ({ t, key: (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.t);
    await enqueue(f.db, targets.map((t, i) => toTeam(`race-${t}`, `message ${i}`)), f.clock.read());
    const ids = await idsOf();
    const inFlight = new Set<string>();
    const overlaps: string[] = [];
    const byWorker: Record<string, number[]> = { w1: [], w2: [] };
    const order: OutboxRow[] = [];
    const platform = (workerId: string): Deliver => async (r) => {
      // Two deliveries to one target at once would mean two workers hold the same queue.
      if (inFlight.has(r.target)) overlaps.push(r.target);
      inFlight.add(r.target);
      order.push(r);
      byWorker[workerId]!.push(r.id);
      await sleep(Math.random() * 3);
      inFlight.delete(r.target);
      return { kind: "sent" };
    };
    const drain = async (w: OutboxWorker) => {
      for (let pass = 0; pass < 500 && (await outboxStats(f.db)).pending > 0; pass++) {
        const done = await w.runOnce();
        if (done.sent === 0) await sleep(1);
      }
    };
    await Promise.all([drain(worker(platform("w1"), { workerId: "w1", batch: 4 })), drain(worker(platform("w2"), { workerId: "w2", batch: 4 }))]);

    const delivered = order.map((r) => r.id);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect([...delivered].sort((a, b) => a - b)).toEqual(ids);
    expect(overlaps).toEqual([]);
    for (let t = 0; t < 10; t++) {
      const forTarget = order.filter((r) => r.target === `race-${t}`).map((r) => r.id);
      expect(forTarget).toHaveLength(10);
      expect(forTarget).toEqual([...forTarget].sort((a, b) => a - b));
    }
    // Both took part: the claims really raced (about half each in practice).
    expect(byWorker.w1!.length).toBeGreaterThan(0);
    expect(byWorker.w2!.length).toBeGreaterThan(0);
    expect(await outboxStats(f.db)).toEqual({ pending: 0, sent: 100, parked: 0 });
    const sent = await f.db.prisma.outboxMessage.findMany({ select: { id: true, claimedBy: true } });
    // Each row records the worker that sent it, and it is the one whose platform saw it.
    for (const s of sent) expect(byWorker[s.claimedBy!]).toContain(s.id);
  });

  it("honours a 429's Retry-After: no retry before 30 s of clock time, delivered after", async () => {
    await enqueue(f.db, [toTeam("slow", "hello")], f.clock.read());
    const [id] = await idsOf();
    const platform = fakePlatform((_r, attempt) => (attempt === 1 ? { kind: "retry", error: "rate limited", afterMs: 30_000 } : { kind: "sent" }));
    // random 0 makes the back-off its smallest (1 s), so only Retry-After can explain the 30 s wait.
    const w = worker(platform.deliver, { random: () => 0 });
    const start = f.clock.read();
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 1, parked: 0 });
    expect((await row(id!)).nextAttemptAt.getTime() - start.getTime()).toBe(30_000);
    f.clock.advance(29_999);
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, parked: 0 });
    expect(platform.ids()).toEqual([id]);
    f.clock.advance(1);
    expect(await w.runOnce()).toEqual({ sent: 1, retried: 0, parked: 0 });
    expect(platform.ids()).toEqual([id, id]);
    // Being throttled is not a failure: it does not bring the message closer to being parked.
    expect(await row(id!)).toMatchObject({ status: "sent", attempts: 0, claimedBy: "w1" });
  });

  it("with its defaults, rides out an outage of about an hour and parks a message only after one to two", async () => {
    // Minutes of clock time from the first failed attempt to parking, under the platform failing every time.
    const minutesToPark = async (random: number) => {
      await f.db.prisma.outboxMessage.deleteMany();
      await enqueue(f.db, [toTeam("down", "still there?")], f.clock.read());
      const [id] = await idsOf();
      const w = worker(fakePlatform(() => ({ kind: "retry", error: "upstream 503" })).deliver, { random: () => random });
      const start = f.clock.read().getTime();
      while ((await w.runOnce()).parked === 0) f.clock.set((await row(id!)).nextAttemptAt);
      return (f.clock.read().getTime() - start) / 60_000;
    };
    // The shortest jitter halves every delay, the longest keeps it whole.
    expect(await minutesToPark(0)).toBeGreaterThan(50);
    expect(await minutesToPark(0.999_999)).toBeLessThan(120);
  });

  it("never parks a message for being throttled, however long the platform says wait", async () => {
    await enqueue(f.db, [toTeam("throttled", "patience")], f.clock.read());
    const [id] = await idsOf();
    let throttles = 0;
    const platform = fakePlatform(() => (throttles++ < 20 ? { kind: "retry", error: "rate limited", afterMs: 1_000 } : { kind: "sent" }));
    const w = worker(platform.deliver, { maxAttempts: 3 });
    for (let i = 0; i < 21; i++) {
      await w.runOnce();
      f.clock.advance(1_000);
    }
    expect(await row(id!)).toMatchObject({ status: "sent", attempts: 0 });
    expect(platform.ids()).toHaveLength(21);
  });

  it("backs off with growing delays, parks after maxAttempts, alerts each admin once, and never alerts about an alert", async () => {
    const zhAdmin = await upsertMember(f.db, { handle: "admin-zh", displayName: "管理员", teamKey: "marketing", role: "admin", locale: "zh-CN" });
    const admins = [f.members.admin!, zhAdmin];
    const alice = f.members.alice!;
    await enqueue(f.db, [toMember(alice.id, "your MQL card")], f.clock.read());
    const [id] = await idsOf();
    const platform = fakePlatform((r) => (r.payload.alert ? { kind: "failed", error: "channel_not_found" } : { kind: "retry", error: "upstream 503" }));
    const w = worker(platform.deliver, { maxAttempts: 5, baseDelayMs: 1000, random: () => 1 });

    const gaps: number[] = [];
    for (let attempt = 1; attempt < 5; attempt++) {
      expect(await w.runOnce()).toEqual({ sent: 0, retried: 1, parked: 0 });
      const r = await row(id!);
      expect(r).toMatchObject({ status: "pending", attempts: attempt, lastError: "upstream 503", claimedBy: null });
      gaps.push(r.nextAttemptAt.getTime() - f.clock.read().getTime());
      // Not a moment early.
      f.clock.set(new Date(r.nextAttemptAt.getTime() - 1));
      expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, parked: 0 });
      f.clock.advance(1);
    }
    expect(gaps).toEqual([1000, 2000, 4000, 8000]);
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, parked: 1 });
    expect(await row(id!)).toMatchObject({ status: "parked", attempts: 5, lastError: "upstream 503" });
    expect(platform.ids().filter((x) => x === id)).toHaveLength(5);

    const alerts = await f.db.prisma.outboxMessage.findMany({ where: { id: { not: id } }, orderBy: { id: "asc" } });
    expect(alerts.map((a) => [a.targetKind, Number(a.target)]).sort()).toEqual(admins.map((a) => ["member", a.id]).sort());
    const textFor = (memberId: number) => {
      const payload = JSON.parse(alerts.find((a) => Number(a.target) === memberId)!.payload) as { alert: boolean; reply: { text: string } };
      expect(payload.alert).toBe(true);
      return payload.reply.text;
    };
    expect(textFor(f.members.admin!.id)).toBe("⚠️ A message to member Alice could not be delivered after 5 attempts: upstream 503");
    expect(textFor(zhAdmin.id)).toBe("⚠️ 发给成员 Alice的消息尝试 5 次后仍未送达：upstream 503");

    // The alerts fail for good: they are parked at once, and nobody is alerted about them.
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, parked: 2 });
    expect(await f.db.prisma.outboxMessage.count()).toBe(3);
    expect(await outboxStats(f.db)).toEqual({ pending: 0, sent: 0, parked: 3 });
    await f.db.prisma.member.delete({ where: { id: zhAdmin.id } });
  });

  it("re-claims the rows of a killed worker only after the lease, and delivers them once", async () => {
    await enqueue(f.db, [toTeam("k-1", "a"), toTeam("k-2", "b"), toTeam("k-3", "c")], f.clock.read());
    const ids = await idsOf();
    const dead = await claimDue(f.db, "dead", f.clock.read(), { limit: 10, leaseMs: 60_000 });
    expect(dead.map((r) => r.id)).toEqual(ids);
    const platform = fakePlatform();
    const w = worker(platform.deliver, { leaseMs: 60_000 });
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, parked: 0 });
    f.clock.advance(60_000);
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, parked: 0 });
    f.clock.advance(1);
    expect(await w.runOnce()).toEqual({ sent: 3, retried: 0, parked: 0 });
    f.clock.advance(120_000);
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, parked: 0 });
    expect(platform.ids()).toEqual(ids);
    // The dead worker coming back cannot record anything over the new holder.
    expect(await markSent(f.db, ids[0]!, "dead", f.clock.read())).toBe(false);
    expect((await f.db.prisma.outboxMessage.findMany({ select: { status: true, claimedBy: true } })).every((r) => r.status === "sent" && r.claimedBy === "w1")).toBe(true);
  });

  it("hands back the rest of its batch once half the lease is gone, so no row is sent by two workers", async () => {
    await enqueue(f.db, [toTeam("h-1", "slow"), toTeam("h-2", "next")], f.clock.read());
    const [slow, next] = await idsOf();
    const platform = fakePlatform(() => {
      f.clock.advance(30_001);
      return { kind: "sent" };
    });
    const w = worker(platform.deliver, { leaseMs: 60_000 });
    expect(await w.runOnce()).toEqual({ sent: 1, retried: 0, parked: 0 });
    expect(platform.ids()).toEqual([slow]);
    expect(await row(next!)).toMatchObject({ status: "pending", claimedBy: null, claimedAt: null, attempts: 0 });
    expect(await worker(platform.deliver, { workerId: "w2" }).runOnce()).toEqual({ sent: 1, retried: 0, parked: 0 });
    expect(platform.ids()).toEqual([slow, next]);
  });

  it("hands each delivery a deadline of a quarter of the lease, and records a delivery that ran into it as a retry", async () => {
    await enqueue(f.db, [toTeam("slow", "hangs"), toTeam("fast", "next")], f.clock.read());
    const [slow, next] = await idsOf();
    // A platform whose first call hangs until the deadline aborts it, as the platforms' HTTP calls do.
    const platform = fakePlatform(() => ({ kind: "sent" }));
    const waited: number[] = [];
    const w = worker(async (r, deadline) => {
      if (r.id !== slow) return platform.deliver(r, deadline);
      const started = Date.now();
      await new Promise((resolve) => deadline.addEventListener("abort", resolve, { once: true }));
      waited.push(Date.now() - started);
      return { kind: "retry", error: "socket hang up" };
    }, { leaseMs: 400 });
    expect(await w.runOnce()).toEqual({ sent: 1, retried: 1, parked: 0 });
    expect(waited[0]).toBeGreaterThanOrEqual(90);
    expect(await row(slow!)).toMatchObject({ status: "pending", attempts: 1, claimedBy: null, lastError: "not done within 100 ms: socket hang up" });
    expect(platform.ids()).toEqual([next]);
  });

  it("stop() cuts short a delivery that hangs past its grace: its request aborted, recorded as an attempt to retry", async () => {
    await enqueue(f.db, [toTeam("hang", "hangs"), toTeam("after", "next")], f.clock.read());
    const [hung, next] = await idsOf();
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    // Hangs until its deadline aborts it, as the platforms' requests do; the lease's own deadline is 15 s away.
    const w = worker(async (_r, deadline) => {
      started();
      await new Promise((resolve) => deadline.addEventListener("abort", resolve, { once: true }));
      return { kind: "retry", error: "This operation was aborted" };
    });
    w.start(3_600_000);
    await inFlight;
    const begun = Date.now();
    await w.stop(100);
    expect(Date.now() - begun).toBeLessThan(2_000);
    expect(await row(hung!)).toMatchObject({ status: "pending", attempts: 1, claimedBy: null, lastError: "cut short by shutdown: This operation was aborted" });
    // The rest of the batch was handed back, and another worker sends both, the hung one once it is due again.
    expect(await row(next!)).toMatchObject({ status: "pending", attempts: 0, claimedBy: null });
    const other = fakePlatform();
    f.clock.advance(60_000);
    expect(await worker(other.deliver, { workerId: "w2" }).runOnce()).toEqual({ sent: 2, retried: 0, parked: 0 });
  });

  it("holds a later message to the same target while an earlier one is waiting to be retried", async () => {
    await enqueue(f.db, [toTeam("q", "first"), toTeam("q", "second"), toTeam("other", "elsewhere")], f.clock.read());
    const [first, second, elsewhere] = await idsOf();
    const platform = fakePlatform((r, attempt) => (r.id === first && attempt === 1 ? { kind: "retry", error: "429", afterMs: 10_000 } : { kind: "sent" }));
    const w = worker(platform.deliver, { random: () => 0 });
    expect(await w.runOnce()).toEqual({ sent: 1, retried: 1, parked: 0 });
    f.clock.advance(5_000);
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 0, parked: 0 });
    expect(await row(second!)).toMatchObject({ status: "pending", attempts: 0 });
    f.clock.advance(5_000);
    expect(await w.runOnce()).toEqual({ sent: 1, retried: 0, parked: 0 });
    expect(await w.runOnce()).toEqual({ sent: 1, retried: 0, parked: 0 });
    expect(platform.ids()).toEqual([first, elsewhere, first, second]);
  });

  it("retries a delivery that throws instead of losing it, and keeps secrets out of the stored error", async () => {
    await enqueue(f.db, [toTeam("flaky", "hello")], f.clock.read());
    const [id] = await idsOf();
    const platform = fakePlatform((_r, attempt) => {
      if (attempt === 1) throw new Error("request to https://qyapi.weixin.qq.com/cgi-bin/message/send?access_token=SECRET123 failed: socket hang up");
      return { kind: "sent" };
    });
    const w = worker(platform.deliver, { random: () => 0 });
    expect(await w.runOnce()).toEqual({ sent: 0, retried: 1, parked: 0 });
    const failed = await row(id!);
    expect(failed).toMatchObject({ status: "pending", attempts: 1, claimedBy: null });
    expect(failed.lastError).toContain("socket hang up");
    expect(failed.lastError).not.toContain("SECRET123");
    f.clock.advance(1000);
    expect(await w.runOnce()).toEqual({ sent: 1, retried: 0, parked: 0 });
    expect(await row(id!)).toMatchObject({ status: "sent", attempts: 1, sentAt: f.clock.read() });
  });

  it("drains on its own once started, and stop() waits for the pass in progress", async () => {
    await enqueue(f.db, [toTeam("auto", "one"), toTeam("auto", "two")], f.clock.read());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let attempted!: () => void;
    const firstAttempt = new Promise<void>((resolve) => (attempted = resolve));
    const platform = fakePlatform(async () => {
      attempted();
      await gate;
      return { kind: "sent" };
    });
    const w = worker(platform.deliver);
    w.start(5);
    await firstAttempt;
    expect(platform.attempts).toHaveLength(1);
    let stopped = false;
    const stopping = w.stop().then(() => (stopped = true));
    await sleep(20);
    expect(stopped).toBe(false);
    release();
    await stopping;
    // The pass in progress recorded its outcome; no new pass began after stop().
    expect(await outboxStats(f.db)).toEqual({ pending: 1, sent: 1, parked: 0 });
    await sleep(30);
    expect(platform.attempts).toHaveLength(1);
  });

  it("stop() mid-batch finishes the delivery in progress and hands the rest of the batch back at once", async () => {
    await enqueue(f.db, [toTeam("a", "one"), toTeam("b", "two"), toTeam("c", "three")], f.clock.read());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const platform = fakePlatform(async () => {
      await gate;
      return { kind: "sent" };
    });
    const w = worker(platform.deliver);
    w.start(5);
    for (let i = 0; i < 200 && platform.attempts.length === 0; i++) await sleep(5);
    // One delivery in flight, the other two rows claimed by this worker and waiting their turn.
    expect(await f.db.prisma.outboxMessage.count({ where: { claimedBy: "w1" } })).toBe(3);
    const stopping = w.stop();
    release();
    await stopping;
    expect(platform.attempts.map((a) => a.text)).toEqual(["one"]);
    expect(await outboxStats(f.db)).toEqual({ pending: 2, sent: 1, parked: 0 });
    expect(await f.db.prisma.outboxMessage.count({ where: { status: "pending", claimedBy: { not: null } } })).toBe(0);
    // Another worker takes them without waiting out the lease.
    const other = fakePlatform();
    expect(await worker(other.deliver, { workerId: "w2" }).runOnce()).toEqual({ sent: 2, retried: 0, parked: 0 });
  });

  it("delivers what this process queues right after the commit, not on the next poll", async () => {
    let delivered!: (text: string) => void;
    const arrived = new Promise<string>((resolve) => (delivered = resolve));
    const w = worker(async (r) => {
      delivered(r.payload.reply.text);
      return { kind: "sent" };
    });
    // A poll an hour apart: only the wake-up after the commit can explain a delivery within the test.
    w.start(3_600_000);
    await w.idle();
    await enqueue(f.db, [toTeam("now", "at once")], f.clock.read());
    expect(await arrived).toBe("at once");
    await w.idle();
    expect(await outboxStats(f.db)).toEqual({ pending: 0, sent: 1, parked: 0 });
    await w.stop();
  });

  it("still finds on its poll what it was not told about (another replica's rows, rows from before a restart)", async () => {
    const w = worker(fakePlatform().deliver);
    w.start(5);
    await w.idle();
    // Written past the store's functions, as another process would: nobody here hears of it.
    const at = f.clock.read();
    await f.db.prisma.outboxMessage.create({ data: { targetKind: "team", target: "elsewhere", payload: JSON.stringify({ reply: { text: "hi", blocks: [], ephemeral: false }, card: null }), nextAttemptAt: at, createdAt: at } });
    for (let i = 0; i < 1000 && (await outboxStats(f.db)).sent === 0; i++) await sleep(5);
    expect(await outboxStats(f.db)).toEqual({ pending: 0, sent: 1, parked: 0 });
    await w.stop();
  });

  it("idle() waits for everything queued before it, in order per target, and not for a message told to wait", async () => {
    const platform = fakePlatform(async (r, attempt) => {
      await sleep(Math.random() * 3);
      return r.target === "later" && attempt === 1 ? { kind: "retry", error: "rate limited", afterMs: 60_000 } : { kind: "sent" };
    });
    const w = worker(platform.deliver, { batch: 3 });
    w.start(3_600_000);
    await enqueue(f.db, [...Array.from({ length: 10 }, (_, i) => toTeam(`idle-${i % 2}`, `m${i}`)), toTeam("later", "throttled")], f.clock.read());
    await w.idle();
    expect(await outboxStats(f.db)).toEqual({ pending: 1, sent: 10, parked: 0 });
    for (const target of ["idle-0", "idle-1"]) {
      const texts = platform.attempts.filter((a) => a.target === target).map((a) => Number(a.text.slice(1)));
      expect(texts).toEqual([...texts].sort((x, y) => x - y));
    }
    // Throttled once, and idle() did not keep the worker trying it before its Retry-After.
    expect(platform.attempts.filter((a) => a.target === "later")).toHaveLength(1);
    await w.stop();
    // A stopped worker's idle() runs the passes itself: nothing is due until the clock passes Retry-After.
    await w.idle();
    expect(platform.attempts.filter((a) => a.target === "later")).toHaveLength(1);
    f.clock.advance(60_000);
    await w.idle();
    expect(await outboxStats(f.db)).toEqual({ pending: 0, sent: 11, parked: 0 });
    expect(platform.attempts.filter((a) => a.target === "later")).toHaveLength(2);
  });
});
