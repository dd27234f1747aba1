import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Actor } from "../../src/domain/account.js";
import { HomeRefresher } from "../../src/platforms/slack/home-refresh.js";

const WINDOW = 3_000;
const HOLD = 250;

const actor = (id: number, displayName = `Rep ${id}`): Actor => ({ id, handle: `rep${id}`, displayName, teamKey: "sales", role: "rep", locale: "en", away: false });

/** A refresher over fake timers whose publishes are recorded (user, who it showed, when) and settle when told. */
function paced() {
  const started: { user: string; shown: string; at: number; settle: (error?: Error) => void }[] = [];
  const errors: unknown[] = [];
  const homes = new HomeRefresher({
    windowMs: WINDOW,
    holdMs: HOLD,
    onError: (error) => errors.push(error),
    publish: (user, who) => new Promise<void>((resolve, reject) => {
      started.push({ user, shown: who.displayName, at: Date.now(), settle: (error) => (error ? reject(error) : resolve()) });
    }),
  });
  const settleAll = async () => {
    for (const s of started) s.settle();
    await vi.advanceTimersByTimeAsync(0);
  };
  return { homes, started, errors, settleAll, users: () => started.map((s) => s.user) };
}

describe("App Home refresh pacing", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("refreshes at once when no command is in progress, then at most once a window, the trailing refresh showing the last change", async () => {
    const { homes, started, settleAll } = paced();
    const t0 = Date.now();
    homes.changed("U1", actor(1, "first"));
    expect(started.map((s) => [s.user, s.at - t0])).toEqual([["U1", 0]]);
    await settleAll();
    await vi.advanceTimersByTimeAsync(500);
    homes.changed("U1", actor(1, "second"));
    await vi.advanceTimersByTimeAsync(500);
    homes.changed("U1", actor(1, "third"));
    await vi.advanceTimersByTimeAsync(WINDOW - 1_000 - 1);
    expect(started).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(started.map((s) => [s.shown, s.at - t0])).toEqual([["first", 0], ["third", WINDOW]]);
    await settleAll();
    // Nothing more is owed: no refresh without a change.
    await vi.advanceTimersByTimeAsync(WINDOW * 3);
    expect(started).toHaveLength(2);
    homes.stop();
  });

  it("waits while a command is in progress and runs when the last one ends", async () => {
    const { homes, started } = paced();
    const first = homes.commandStarted();
    const second = homes.commandStarted();
    homes.changed("U1", actor(1));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(0);
    first();
    first(); // ending the same command twice counts once
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toHaveLength(0);
    second();
    expect(started.map((s) => s.user)).toEqual(["U1"]);
    homes.stop();
  });

  it("runs by its deadline, one window after the change, however busy the commands keep it, one at a time", async () => {
    const { homes, started, users } = paced();
    const t0 = Date.now();
    homes.commandStarted(); // never ends: a steady stream of commands
    for (const u of ["U1", "U2", "U3"]) homes.changed(u, actor(Number(u.slice(1))));
    await vi.advanceTimersByTimeAsync(WINDOW - 1);
    expect(started).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    // One at a time: the next starts when the one before settles.
    expect(users()).toEqual(["U1"]);
    started[0]!.settle();
    await vi.advanceTimersByTimeAsync(0);
    expect(users()).toEqual(["U1", "U2"]);
    expect(started[1]!.at - t0).toBe(WINDOW);
    // A publish still waiting for Slack after HOLD no longer holds the next one back.
    await vi.advanceTimersByTimeAsync(HOLD);
    expect(users()).toEqual(["U1", "U2", "U3"]);
    homes.stop();
  });

  it("does not lose a change made while that member's refresh is running: it gets a refresh of its own a window later", async () => {
    const { homes, started, settleAll } = paced();
    const t0 = Date.now();
    homes.changed("U1", actor(1, "before"));
    expect(started).toHaveLength(1);
    // The running refresh may have read the accounts before this change was saved.
    homes.changed("U1", actor(1, "during"));
    await settleAll();
    await vi.advanceTimersByTimeAsync(WINDOW);
    expect(started.map((s) => [s.shown, s.at - t0])).toEqual([["before", 0], ["during", WINDOW]]);
    homes.stop();
  });

  it("keeps refreshing after a failed publish, which it reports", async () => {
    const { homes, started, errors } = paced();
    homes.changed("U1", actor(1));
    homes.changed("U2", actor(2));
    started[0]!.settle(new Error("views.publish failed"));
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    expect(started.map((s) => s.user)).toEqual(["U1", "U2"]);
    homes.stop();
  });

  it("plans nothing once stopped", async () => {
    const { homes, started, settleAll } = paced();
    homes.changed("U1", actor(1));
    await settleAll();
    homes.changed("U1", actor(1));
    homes.stop();
    homes.changed("U2", actor(2));
    await vi.advanceTimersByTimeAsync(WINDOW * 2);
    expect(started.map((s) => s.user)).toEqual(["U1"]);
  });
});
