import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone.js";
import utc from "dayjs/plugin/utc.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chinaCalendar } from "../../src/config/calendar.js";
import {
  addBusinessDays, elapsedDays, isBusinessDay, isOverdue, localDay, localTime, localTimeOfDay,
  monthDays, nextBusinessDay, slaDeadline, stageCalendar, unpublishedYears, withOverlay, zonedMidnight, type BusinessCalendar,
} from "../../src/domain/calendar.js";
import { PlaybookSchema } from "../../src/domain/playbook.js";
import { emailSaas } from "../../src/domain/presets/email-saas.js";
import { fuzzParameters } from "../support/fuzz.js";

dayjs.extend(utc);
dayjs.extend(timezone);

// Mainland China as the installed chinese-days carries it: the domain only ever sees such a plain value.
const cn = chinaCalendar();
const utcCal: BusinessCalendar = { ...cn, timezone: "UTC" };
const newYork: BusinessCalendar = { name: "weekends", timezone: "America/New_York", holidays: [], workdays: [], published: "by-rule" };
const at = (iso: string) => new Date(iso);
const oneBusinessDay = { days: 1, unit: "business" } as const;

describe("the test process", () => {
  it("runs in UTC, so every Asia/Shanghai result below comes from the calendar, not the host", () => {
    expect(new Date("2026-11-20T23:30:00Z").getTimezoneOffset()).toBe(0);
  });
});

describe("business days", () => {
  it("are weekdays: Friday works, the weekend does not", () => {
    expect(isBusinessDay(cn, "2026-11-20")).toBe(true);
    expect(isBusinessDay(cn, "2026-11-21")).toBe(false);
    expect(isBusinessDay(cn, "2026-11-22")).toBe(false);
    expect(nextBusinessDay(cn, "2026-11-20")).toBe("2026-11-23");
  });

  it("skip public holidays that fall on weekdays", () => {
    expect(isBusinessDay(cn, "2026-10-01")).toBe(false); // 国庆, Thursday
    expect(isBusinessDay(cn, "2026-06-19")).toBe(false); // 端午, Friday
    expect(nextBusinessDay(cn, "2026-09-30")).toBe("2026-10-08");
  });

  it("include make-up Saturdays and Sundays (调休)", () => {
    expect(isBusinessDay(cn, "2026-10-10")).toBe(true); // Saturday
    expect(isBusinessDay(cn, "2026-09-20")).toBe(true); // Sunday
    expect(isBusinessDay(cn, "2026-02-14")).toBe(true); // Saturday before 春节
    expect(nextBusinessDay(cn, "2026-10-09")).toBe("2026-10-10");
    expect(nextBusinessDay(cn, "2026-09-19")).toBe("2026-09-20");
  });

  it("number 248 in mainland China's 2026: 261 weekdays, 19 of them holidays, 6 make-up days", () => {
    const lastOf2025 = zonedMidnight("2025-12-31", "Asia/Shanghai");
    const lastOf2026 = zonedMidnight("2026-12-31", "Asia/Shanghai");
    expect(elapsedDays(cn, lastOf2025, lastOf2026, "business")).toBe(248);
    expect(elapsedDays(cn, lastOf2025, lastOf2026, "calendar")).toBe(365);
  });

  it("refuse malformed days instead of guessing", () => {
    expect(() => isBusinessDay(cn, "2026-13-01")).toThrow(RangeError);
  });
});

describe("local days and timezones", () => {
  // Friday 23:30 in UTC is already Saturday 07:30 in Shanghai.
  const lateFriday = at("2026-11-20T23:30:00Z");

  it("put one instant on different days in different zones", () => {
    expect(localDay(lateFriday, "UTC")).toBe("2026-11-20");
    expect(localDay(lateFriday, "Asia/Shanghai")).toBe("2026-11-21");
    expect(isBusinessDay(utcCal, localDay(lateFriday, utcCal.timezone))).toBe(true);
    expect(isBusinessDay(cn, localDay(lateFriday, cn.timezone))).toBe(false);
  });

  it("give an SLA its deadline in the calendar's zone, not the host's", () => {
    // Shanghai: entered on a Saturday, so the one business day is all of Monday; stalled at Tuesday 00:00 +08.
    expect(slaDeadline(cn, lateFriday, oneBusinessDay)).toEqual(at("2026-11-23T16:00:00Z"));
    // UTC: entered on a Friday evening, stalled at the same time on Monday.
    expect(slaDeadline(utcCal, lateFriday, oneBusinessDay)).toEqual(at("2026-11-23T23:30:00Z"));
  });

  it("start a day at the zone's midnight", () => {
    expect(zonedMidnight("2026-12-01", "Asia/Shanghai")).toEqual(at("2026-11-30T16:00:00Z"));
    expect(zonedMidnight("2026-12-01", "UTC")).toEqual(at("2026-12-01T00:00:00Z"));
    expect(zonedMidnight("2026-07-01", "America/New_York")).toEqual(at("2026-07-01T04:00:00Z"));
  });

  it("keep the local time of day across a DST change", () => {
    // Friday 09:00 EST; Monday 09:00 is EDT after the 2026-03-08 spring-forward: 71 hours later, not 72.
    expect(addBusinessDays(newYork, at("2026-03-06T14:00:00Z"), 1)).toEqual(at("2026-03-09T13:00:00Z"));
  });
});

describe("SLA deadlines", () => {
  it("carry one business day from the eve of 国庆 past the whole holiday", () => {
    const eve = at("2026-09-30T02:00:00Z"); // Wednesday 10:00 in Shanghai
    const deadline = slaDeadline(cn, eve, oneBusinessDay);
    expect(deadline).toEqual(at("2026-10-08T02:00:00Z")); // Thursday 10:00 after the holiday
    expect(isOverdue(cn, eve, oneBusinessDay, at("2026-10-07T12:00:00Z"))).toBe(false);
    expect(isOverdue(cn, eve, oneBusinessDay, at("2026-10-08T01:59:59.999Z"))).toBe(false);
    expect(isOverdue(cn, eve, oneBusinessDay, deadline)).toBe(true);
  });

  it("count a make-up Saturday and skip 春节", () => {
    const fridayEvening = at("2026-02-13T10:00:00Z"); // 18:00 in Shanghai
    expect(slaDeadline(cn, fridayEvening, oneBusinessDay)).toEqual(at("2026-02-14T10:00:00Z"));
    expect(slaDeadline(cn, fridayEvening, { days: 2, unit: "business" })).toEqual(at("2026-02-24T10:00:00Z"));
  });

  it("start from the next business day when entered on a holiday", () => {
    const holiday = at("2026-10-03T06:00:00Z"); // Saturday in the 国庆 break
    expect(slaDeadline(cn, holiday, oneBusinessDay)).toEqual(zonedMidnight("2026-10-09", "Asia/Shanghai"));
    expect(addBusinessDays(cn, holiday, 0)).toEqual(zonedMidnight("2026-10-08", "Asia/Shanghai"));
  });

  it("count calendar SLAs in whole 24-hour periods, holidays or not", () => {
    const eve = at("2026-09-30T02:00:00Z");
    expect(slaDeadline(cn, eve, { days: 7, unit: "calendar" })).toEqual(at("2026-10-07T02:00:00Z"));
  });

  it("never overdue without an SLA", () => {
    expect(isOverdue(cn, at("2020-01-01T00:00:00Z"), null, at("2026-11-23T00:00:00Z"))).toBe(false);
  });

  it("refuse negative or fractional business days", () => {
    expect(() => addBusinessDays(cn, at("2026-11-23T00:00:00Z"), -1)).toThrow(RangeError);
    expect(() => addBusinessDays(cn, at("2026-11-23T00:00:00Z"), 1.5)).toThrow(RangeError);
  });
});

describe("elapsed days", () => {
  it("count a weekend as three calendar days but one business day", () => {
    const friday = at("2026-11-20T02:00:00Z"); // 10:00 Shanghai
    const monday = at("2026-11-23T01:00:00Z"); // 09:00 Shanghai, less than three whole 24-hour periods later
    expect(elapsedDays(cn, friday, monday, "calendar")).toBe(3);
    expect(elapsedDays(cn, friday, monday, "business")).toBe(1);
  });

  it("count 国庆 as eight calendar days but one business day", () => {
    expect(elapsedDays(cn, at("2026-09-30T02:00:00Z"), at("2026-10-08T02:00:00Z"), "calendar")).toBe(8);
    expect(elapsedDays(cn, at("2026-09-30T02:00:00Z"), at("2026-10-08T02:00:00Z"), "business")).toBe(1);
  });

  it("count local dates, so 20 minutes across midnight is a day, in the calendar's zone only", () => {
    const before = at("2026-11-24T15:50:00Z"); // 23:50 Tuesday in Shanghai
    const after = at("2026-11-24T16:10:00Z"); // 00:10 Wednesday in Shanghai
    expect(elapsedDays(cn, before, after, "calendar")).toBe(1);
    expect(elapsedDays(cn, before, after, "business")).toBe(1);
    expect(elapsedDays(utcCal, before, after, "calendar")).toBe(0);
  });

  it("is zero for the same day and when the clock reads earlier than the entry", () => {
    expect(elapsedDays(cn, at("2026-11-23T01:00:00Z"), at("2026-11-23T09:00:00Z"), "business")).toBe(0);
    expect(elapsedDays(cn, at("2026-11-25T01:00:00Z"), at("2026-11-23T09:00:00Z"), "calendar")).toBe(0);
  });
});

describe("properties over random instants", () => {
  // A seeded generator keeps failures reproducible without a property-testing dependency.
  function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const next = random(20261123);
  const span = Date.parse("2027-03-01T00:00:00Z") - Date.parse("2025-11-01T00:00:00Z");
  const instant = () => new Date(Date.parse("2025-11-01T00:00:00Z") + Math.floor(next() * span));
  const samples = Array.from({ length: 300 }, () => ({ a: instant(), b: instant(), n: Math.floor(next() * 12) }));
  const calendars = [cn, utcCal, newYork];

  function naiveBusinessDays(cal: BusinessCalendar, from: Date, to: Date): number {
    let count = 0;
    const last = localDay(to, cal.timezone);
    for (let day = localDay(from, cal.timezone); day < last; ) {
      day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      if (isBusinessDay(cal, day)) count += 1;
    }
    return count;
  }

  it("elapsed business days match counting day by day", () => {
    for (const cal of calendars) {
      for (const { a, b } of samples) expect(elapsedDays(cal, a, b, "business")).toBe(naiveBusinessDays(cal, a, b));
    }
  });

  it("calendar days are whole 24-hour periods, or one more when the local clock wrapped past midnight", () => {
    for (const { a, b } of samples) {
      const [from, to] = a <= b ? [a, b] : [b, a];
      const periods = Math.floor((to.getTime() - from.getTime()) / 86_400_000);
      expect(elapsedDays(cn, from, to, "calendar")).toBeGreaterThanOrEqual(periods);
      expect(elapsedDays(cn, from, to, "calendar")).toBeLessThanOrEqual(periods + 1);
    }
  });

  it("n business days later is a business day, n business days away, at the same local time", () => {
    for (const cal of calendars) {
      for (const { a, n } of samples) {
        const deadline = addBusinessDays(cal, a, n);
        const startDay = localDay(a, cal.timezone);
        const onBusinessDay = isBusinessDay(cal, startDay);
        expect(isBusinessDay(cal, localDay(deadline, cal.timezone))).toBe(true);
        expect(elapsedDays(cal, a, deadline, "business")).toBe(onBusinessDay ? n : n + 1);
        if (onBusinessDay && cal.timezone !== "America/New_York") {
          expect(deadline.getTime() - zonedMidnight(localDay(deadline, cal.timezone), cal.timezone).getTime())
            .toBe(a.getTime() - zonedMidnight(startDay, cal.timezone).getTime());
        }
        if (!onBusinessDay) expect(deadline).toEqual(zonedMidnight(localDay(deadline, cal.timezone), cal.timezone));
      }
    }
  });

  it("a later entry never gets an earlier deadline, and the deadline is the first overdue instant", () => {
    for (const { a, b, n } of samples) {
      const [early, late] = a <= b ? [a, b] : [b, a];
      const sla = { days: n + 1, unit: "business" } as const;
      expect(slaDeadline(cn, early, sla).getTime()).toBeLessThanOrEqual(slaDeadline(cn, late, sla).getTime());
      const deadline = slaDeadline(cn, a, sla);
      expect(deadline.getTime()).toBeGreaterThan(a.getTime());
      expect(isOverdue(cn, a, sla, new Date(deadline.getTime() - 1))).toBe(false);
      expect(isOverdue(cn, a, sla, deadline)).toBe(true);
    }
  });

  it("a day's midnight belongs to that day and the instant before it to the day before", () => {
    for (const cal of calendars) {
      for (const { a } of samples) {
        const day = localDay(a, cal.timezone);
        const midnight = zonedMidnight(day, cal.timezone);
        expect(localDay(midnight, cal.timezone)).toBe(day);
        expect(midnight.getTime()).toBeLessThanOrEqual(a.getTime());
        expect(localDay(new Date(midnight.getTime() - 1), cal.timezone) < day).toBe(true);
      }
    }
  });
});

describe("local times", () => {
  it("agree with dayjs' timezone plugin on any instant, across DST and date lines", () => {
    const zones = ["Asia/Shanghai", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Kiritimati", "UTC"];
    fc.assert(
      fc.property(fc.date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2060-01-01T00:00:00Z"), noInvalidDate: true }), fc.constantFrom(...zones), (instant, tz) => {
        const local = dayjs(instant).tz(tz);
        expect(localDay(instant, tz)).toBe(local.format("YYYY-MM-DD"));
        expect(localTimeOfDay(instant, tz)).toBe(local.format("HH:mm:ss.SSS"));
        expect(localTime(instant, tz)).toBe(local.format("YYYY-MM-DD HH:mm"));
      }),
      fuzzParameters(2000),
    );
  });

  it("agree with dayjs for instants within one second of each other, in one zone and across zones (one formatting a second)", () => {
    const zones = ["Asia/Shanghai", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"];
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2060-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.array(fc.tuple(fc.integer({ min: -1_500, max: 1_500 }), fc.constantFrom(...zones)), { minLength: 2, maxLength: 8 }),
        (base, steps) => {
          for (const [offset, tz] of steps) {
            const instant = new Date(base.getTime() + offset);
            const local = dayjs(instant).tz(tz);
            expect(localTimeOfDay(instant, tz)).toBe(local.format("HH:mm:ss.SSS"));
            expect(localDay(instant, tz)).toBe(local.format("YYYY-MM-DD"));
          }
        },
      ),
      fuzzParameters(500),
    );
    // Either side of midnight, a millisecond apart.
    expect(localTimeOfDay(new Date("2026-11-22T15:59:59.999Z"), "Asia/Shanghai")).toBe("23:59:59.999");
    expect(localDay(new Date("2026-11-22T16:00:00.000Z"), "Asia/Shanghai")).toBe("2026-11-23");
    expect(localDay(new Date("2026-11-22T15:59:59.999Z"), "Asia/Shanghai")).toBe("2026-11-22");
  });

  it("reads midnight as 00:00, not 24:00", () => {
    expect(localTime(new Date("2026-11-22T16:00:00Z"), "Asia/Shanghai")).toBe("2026-11-23 00:00");
    expect(localTimeOfDay(new Date("2026-11-22T16:00:00.007Z"), "Asia/Shanghai")).toBe("00:00:00.007");
  });
});

describe("calendars with years, overlays and teams", () => {
  const small: BusinessCalendar = {
    name: "cn", timezone: "Asia/Shanghai", holidays: ["2026-10-01", "2026-10-02"], workdays: ["2026-10-10"], names: { "2026-10-01": "国庆节" }, published: [2026],
  };

  it("misses the current year, and from 1 December local time the next one", () => {
    expect(unpublishedYears(small, at("2026-11-30T15:59:59Z"))).toEqual([]); // 23:59 on 30 Nov in Shanghai
    expect(unpublishedYears(small, at("2026-11-30T16:00:00Z"))).toEqual([2027]); // 00:00 on 1 Dec
    expect(unpublishedYears(small, at("2027-03-01T00:00:00Z"))).toEqual([2027]);
    expect(unpublishedYears({ ...small, published: [2026, 2027] }, at("2026-12-31T00:00:00Z"))).toEqual([]);
    expect(unpublishedYears({ ...small, published: "by-rule" }, at("2030-12-31T00:00:00Z"))).toEqual([]);
  });

  it("counts an unpublished year as weekends only", () => {
    // 2027-02-08 is a weekday: without 2027's data it counts as a business day, a Saturday does not.
    expect(isBusinessDay(small, "2027-02-08")).toBe(true);
    expect(isBusinessDay(small, "2027-02-13")).toBe(false);
  });

  it("lays an overlay's days over the base: its workday beats a base holiday, its holiday a base workday", () => {
    const merged = withOverlay(small, { holidays: ["2026-10-10", "2026-12-24"], workdays: ["2026-10-02"], years: [2027], names: { "2026-12-24": "Company day" } });
    expect(merged.holidays).toEqual(["2026-10-01", "2026-10-10", "2026-12-24"]);
    expect(merged.workdays).toEqual(["2026-10-02"]);
    expect(isBusinessDay(merged, "2026-10-02")).toBe(true);
    expect(merged.published).toEqual([2026, 2027]);
    expect(merged.names).toEqual({ "2026-10-01": "国庆节", "2026-12-24": "Company day" });
    expect(withOverlay({ ...small, published: "by-rule" }, { holidays: [], workdays: [], years: [2027] }).published).toBe("by-rule");
  });

  it("lists a month's days with holidays and make-up workdays marked", () => {
    const october = monthDays(small, "2026-10");
    expect(october).toHaveLength(31);
    expect(october[0]).toEqual({ day: "2026-10-01", weekday: 4, business: false, mark: "holiday", name: "国庆节" });
    expect(october[9]).toEqual({ day: "2026-10-10", weekday: 6, business: true, mark: "workday", name: null });
    expect(october[10]).toMatchObject({ day: "2026-10-11", business: false, mark: null });
    expect(monthDays(small, "2028-02")).toHaveLength(29);
  });

  it("counts a stage on the calendar of the team that owns it (listed first)", () => {
    const playbook = PlaybookSchema.parse(emailSaas);
    const us: BusinessCalendar = { ...small, name: "us", timezone: "America/Los_Angeles", published: "by-rule" };
    const calendars = { of: (team: string | null | undefined) => (team === "sales" ? us : small) };
    expect(stageCalendar(calendars, playbook, "MQL")).toBe(us);
    expect(stageCalendar(calendars, playbook, "P0")).toBe(us); // sales, then cs
    expect(stageCalendar(calendars, playbook, "P1")).toBe(small);
    expect(stageCalendar(calendars, playbook, "NO-SUCH-STAGE")).toBe(small);
  });
});
