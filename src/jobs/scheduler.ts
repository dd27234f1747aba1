import { Cron } from "croner";
import type { Logger } from "pino";
import { announceScheduleGaps } from "../services/calendars.js";
import type { ServiceContext } from "../services/context.js";
import { runAutomations } from "./automations.js";
import { DEFAULT_DIGEST_TIME, DIGEST_TIME, runDigests } from "./digests.js";

/** What the scheduler needs besides the services' context. */
export interface SchedulerOptions {
  readonly log: Logger;
  /** Unique per process; recorded on digest claims. */
  readonly workerId: string;
  /** `HH:mm` in each team's timezone; default 09:30. */
  readonly digestTime?: string;
  /** Minutes between automation passes (1–59); default 5. */
  readonly automationsEvery?: number;
}

/** The running timers; `stop` waits for a pass in progress to finish. */
export interface Scheduler {
  /** Settles once the start-up catch-up (digests, then automations) has run. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the daily digests at each team's local time and the automations every few minutes. Teams live in
 * different timezones (some offset by half an hour), so the digest pass looks every minute and each team's
 * digest goes when its own clock reads the digest time; a pass with nothing due reads nothing. Both run once
 * at start, so a digest missed while the bot was down goes out when it is back the same business day, and
 * a digest claim whose worker died is picked up. Every automation pass first re-reads the teams' calendars
 * and says so when a calendar lacks this year's (or, from December, next year's) schedule. Every pass
 * reads the context's clock and is idempotent across replicas, so timers only decide when to look.
 */
export function startScheduler(ctx: ServiceContext, options: SchedulerOptions): Scheduler {
  const { log, workerId } = options;
  const digestTime = options.digestTime ?? DEFAULT_DIGEST_TIME;
  if (!DIGEST_TIME.test(digestTime)) throw new RangeError(`digest time must be HH:mm, not ${JSON.stringify(digestTime)}`);
  const every = options.automationsEvery ?? 5;
  if (!Number.isInteger(every) || every < 1 || every > 59) throw new RangeError(`automations run every 1–59 minutes, not ${every}`);
  // Calendar gaps already logged and announced by this process.
  const announced = new Set<string>();

  const running = new Map<string, Promise<void>>();
  // One pass of a kind at a time in this process: a slow pass makes the next tick skip, not pile up.
  const run = (name: string, pass: () => Promise<unknown>): Promise<void> => {
    const current = running.get(name);
    if (current) return current;
    const started = (async () => {
      try {
        const result = await pass();
        log.debug({ job: name, result }, "scheduled pass done");
      } catch (error) {
        log.error({ job: name, err: error }, "scheduled pass failed; the next one will try again");
      } finally {
        running.delete(name);
      }
    })();
    running.set(name, started);
    return started;
  };
  const digests = () => run("digests", async () => {
    const pass = await runDigests(ctx, { now: ctx.clock(), workerId, digestTime });
    if (pass.sent.length) log.info({ teams: Object.fromEntries(pass.sent.map((key) => [key, pass.teams[key]!.day])) }, "queued daily digests");
    return pass;
  });
  const calendars = () => run("calendars", async () => {
    const now = ctx.clock();
    await ctx.calendars.refresh(ctx, now, log);
    return announceScheduleGaps(ctx, ctx.calendars, now, log, announced);
  });
  const automations = () => run("automations", () => runAutomations(ctx, { now: ctx.clock() }));

  const jobs = [
    new Cron("* * * * *", () => void digests()),
    new Cron(`*/${every} * * * *`, () => void calendars().then(automations).then(digests)),
  ];
  const ready = (async () => {
    await calendars();
    await digests();
    await automations();
  })();
  return {
    ready,
    stop: async () => {
      for (const job of jobs) job.stop();
      await ready;
      await Promise.all([...running.values()]);
    },
  };
}
