import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { calendarResolver, chinaCalendar, checkCalendarSetting, checkRegion, readCalendarFile, regionCalendar } from "../../src/config/calendar.js";
import { ConfigError } from "../../src/config/env.js";
import { isBusinessDay } from "../../src/domain/calendar.js";

let n = 0;
function file(name: string, text: string): string {
  const at = path.join(os.tmpdir(), `funnelbot-cal-${process.pid}-${Date.now()}-${n++}-${name}`);
  writeFileSync(at, text);
  return at;
}
const now = new Date("2026-11-23T02:00:00Z");

describe("mainland China from chinese-days", () => {
  const cn = chinaCalendar();
  it("carries the State Council's 2026 schedule with its make-up workdays, and no 2027 yet", () => {
    expect(cn.published).toContain(2026);
    expect(cn.published).not.toContain(2027);
    expect(isBusinessDay(cn, "2026-10-01")).toBe(false);
    expect(isBusinessDay(cn, "2026-10-10")).toBe(true); // 调休 Saturday
    expect(isBusinessDay(cn, "2026-02-18")).toBe(false); // 春节
    expect(cn.names?.["2026-02-18"]).toBe("春节 Spring Festival");
  });

  it("counts a year as published only with its whole schedule, not for a holiday spilling over New Year", () => {
    const data = { holidays: { "2026-10-01": "National Day,国庆节,3", "2027-01-01": "New Year's Day,元旦,1" }, workdays: {} };
    expect(chinaCalendar(data).published).toEqual([2026]);
  });
});

describe("other countries and regions from date-holidays", () => {
  it("computes public holidays by rule, in the region's zone, and counts every year as published", () => {
    const ca = regionCalendar("us-ca", 2026);
    expect(ca).toMatchObject({ name: "us-ca", timezone: "America/Los_Angeles", published: "by-rule" });
    expect(isBusinessDay(ca, "2026-11-26")).toBe(false); // Thanksgiving
    expect(isBusinessDay(ca, "2026-03-31")).toBe(false); // César Chávez Day, California only
    expect(isBusinessDay(regionCalendar("us", 2026), "2026-03-31")).toBe(true);
    expect(isBusinessDay(ca, "2027-11-25")).toBe(false); // next year's Thanksgiving too
    expect(regionCalendar("sg", 2026)).toMatchObject({ timezone: "Asia/Singapore" });
  });

  it("refuses a code it does not know, naming it", () => {
    expect(checkRegion("US-CA")).toBe("us-ca");
    expect(() => checkRegion("xx")).toThrow(/Unknown calendar "xx"/);
    expect(() => checkRegion("us-zz")).toThrow(/Unknown calendar "us-zz"/);
    expect(() => checkRegion("../etc")).toThrow(ConfigError);
  });
});

describe("calendar files", () => {
  it("name the line and the value of every problem", () => {
    const bad = file("bad.yaml", "timezone: Mars/Olympus\nyears: [2027]\nholidays:\n  - 2027-01-01\n  - 2027/01/02\nworkdays:\n  - 2027-01-01\nholiday: [2027-05-01]\n");
    let message = "";
    try {
      readCalendarFile(bad);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain(`${bad}:1: timezone: timezone must be an IANA zone such as Asia/Shanghai ("Mars/Olympus")`);
    expect(message).toContain(`${bad}:5: holidays.1: days are real dates written YYYY-MM-DD ("2027/01/02")`);
    expect(message).toContain(`${bad}:7: workdays.0: 2027-01-01 is both a holiday and a workday`);
    expect(message).toContain(`${bad}:8: (top): Unrecognized key: "holiday"`);
  });

  it("name the line of a syntax error, in YAML and JSON alike", () => {
    expect(() => readCalendarFile(file("broken.yaml", "holidays:\n  - 2027-01-01\n  bad: [\n"))).toThrow(/broken\.yaml:\d+: not valid YAML\/JSON/);
    expect(() => readCalendarFile(file("broken.json", '{\n  "holidays": ["2027-01-01",\n}\n'))).toThrow(/broken\.json:\d+: not valid YAML\/JSON/);
    expect(() => readCalendarFile(path.join(os.tmpdir(), "no-such-calendar.yaml"))).toThrow(/Cannot read calendar file/);
    expect(readCalendarFile(file("ok.json", '{ "years": [2027], "holidays": ["2027-01-01"] }'))).toMatchObject({ years: [2027], holidays: ["2027-01-01"], workdays: [] });
  });
});

describe("the calendars of an environment", () => {
  it("is mainland China in Asia/Shanghai by default, and TZ moves the default's zone", () => {
    expect(calendarResolver({}).defaultCalendar(now)).toMatchObject({ name: "cn", timezone: "Asia/Shanghai" });
    expect(calendarResolver({ TZ: "UTC" }).defaultCalendar(now)).toMatchObject({ name: "cn", timezone: "UTC" });
    expect(() => calendarResolver({ TZ: "Mars/Olympus" })).toThrow(/TZ: unknown timezone/);
    // A malformed FUNNEL_CALENDAR stops the start with the line named.
    const broken = file("start.yaml", "holidays:\n  - 2027-13-01\n");
    expect(() => calendarResolver({ FUNNEL_CALENDAR: broken })).toThrow(`${broken}:2: holidays.0: days are real dates written YYYY-MM-DD ("2027-13-01")`);
  });

  it("lets FUNNEL_CALENDAR add company days and a new year to every team on its base region", () => {
    const company = file("company.yaml", "years: [2027]\nholidays: [2026-12-24, 2027-01-01]\nworkdays: [2026-10-03]\n");
    const resolver = calendarResolver({ FUNNEL_CALENDAR: company });
    for (const cal of [resolver.defaultCalendar(now), resolver.resolve({ calendar: "cn", timezone: null }, now)]) {
      expect(isBusinessDay(cal, "2026-12-24")).toBe(false); // a company day off
      expect(isBusinessDay(cal, "2026-10-03")).toBe(true); // a holiday the file makes a workday
      expect(isBusinessDay(cal, "2026-10-01")).toBe(false); // the package's holidays stay
      expect(cal.published).toContain(2027);
    }
    // A team in another country keeps its own holidays.
    expect(isBusinessDay(resolver.resolve({ calendar: "us", timezone: null }, now), "2026-12-24")).toBe(true);
  });

  it("takes a team's own file on top of its base region, in the file's zone unless the team sets one", () => {
    const sg = file("sg-office.yaml", "base: sg\ntimezone: Asia/Singapore\nholidays: [2026-12-31]\n");
    const resolver = calendarResolver({});
    const cal = resolver.resolve({ calendar: sg, timezone: null }, now);
    expect(cal.timezone).toBe("Asia/Singapore");
    expect(isBusinessDay(cal, "2026-12-31")).toBe(false);
    expect(isBusinessDay(cal, "2026-12-25")).toBe(false); // Singapore's Christmas, from date-holidays
    expect(resolver.resolve({ calendar: sg, timezone: "Asia/Tokyo" }, now).timezone).toBe("Asia/Tokyo");
  });

  it("checks a setting as typed: a region in lower case, a file's absolute path, an existing zone", () => {
    expect(checkCalendarSetting({ calendar: "US-CA", timezone: "America/Los_Angeles" })).toEqual({ calendar: "us-ca", timezone: "America/Los_Angeles" });
    expect(() => checkCalendarSetting({ calendar: null, timezone: "+08:00" })).toThrow(/Unknown timezone "\+08:00"/);
    expect(() => checkCalendarSetting({ calendar: "nowhere.yaml", timezone: null })).toThrow(/Cannot read calendar file/);
    const ok = file("ok.yaml", "holidays: [2027-01-01]\n");
    expect(checkCalendarSetting({ calendar: ok, timezone: null }).calendar).toBe(path.resolve(ok));
  });
});
