import { describe, expect, it } from "vitest";
import { PlaybookSchema } from "../../src/domain/playbook.js";
import { emailSaas } from "../../src/domain/presets/email-saas.js";
import { cooldownUntil, routeCandidates } from "../../src/domain/routing.js";
import { scoreLead, sizeBand, titleBand } from "../../src/domain/scoring.js";

const scoring = PlaybookSchema.parse(emailSaas).scoring!;

describe("lead scoring (seed 002)", () => {
  it("adds demographic and behaviour points, line by line, and grades the total", () => {
    const score = scoreLead(scoring, { title: "CTO", size: 300, industry: "SaaS", region: "CN" }, [
      { kind: "page-visit", count: 3, points: 3 },
      { kind: "webinar", count: 1, points: 10 },
    ]);
    expect(score.lines).toEqual([
      { kind: "demographic", attribute: "title", value: "CTO", band: "cto", points: 10 },
      { kind: "demographic", attribute: "size", value: "300", band: "201-1000", points: 10 },
      { kind: "demographic", attribute: "industry", value: "SaaS", band: "saas", points: 8 },
      { kind: "demographic", attribute: "region", value: "CN", band: "cn", points: 5 },
      { kind: "behaviour", behaviour: "webinar", count: 1, points: 10 },
      { kind: "behaviour", behaviour: "page-visit", count: 3, points: 3 },
    ]);
    expect(score.total).toBe(46);
    expect(score.grade).toBe("warm");
    expect(scoreLead(scoring, { title: null, size: null, industry: null, region: null }, []).grade).toBe("cold");
    expect(scoreLead(scoring, { title: "CEO", size: 5000, industry: "ecommerce", region: "sea" }, [{ kind: "pricing-visit", count: 3, points: 30 }]).grade).toBe("hot");
  });

  it("reads titles as people write them, in English and Chinese, taking the best-scoring match", () => {
    const titles = scoring.demographic.title!;
    expect(titleBand(titles, "VP of Marketing")).toBe("vp");
    expect(titleBand(titles, "市场总监")).toBe("director");
    expect(titleBand(titles, "Head of Growth")).toBe("director");
    expect(titleBand(titles, "首席执行官")).toBe("ceo");
    expect(titleBand(titles, "Intern")).toBeNull();
    expect(sizeBand(scoring.demographic.size!, 11)).toBe("11-50");
    expect(sizeBand(scoring.demographic.size!, 100_000)).toBe("1000+");
  });
});

describe("routing", () => {
  const reps = [
    { id: 1, handle: "alice", displayName: "Alice", away: false },
    { id: 2, handle: "bob", displayName: "Bob", away: false },
    { id: 3, handle: "chen", displayName: "Chen", away: true },
  ];

  it("sends a lead to the reps of the first matching rule, and to the whole team when nobody there is available", () => {
    const rules = [{ region: ["cn"], reps: ["chen"] }, { industry: ["saas"], minSize: 200, reps: ["bob"] }];
    expect(routeCandidates(rules, { region: "us", industry: "SaaS", size: 500 }, reps).map((m) => m.handle)).toEqual(["bob"]);
    expect(routeCandidates(rules, { region: "us", industry: "saas", size: 50 }, reps)).toHaveLength(3);
    // The only rep of the CN rule is away: the lead is not stuck behind the rule.
    expect(routeCandidates(rules, { region: "CN", industry: null, size: null }, reps)).toHaveLength(3);
  });

  it("keeps a rep who let an account go away from it for the cool-down", () => {
    const at = new Date("2026-11-20T00:00:00Z");
    const releases = [{ repId: 1, at }];
    expect(cooldownUntil(releases, 1, 7, new Date("2026-11-26T23:00:00Z"))).toEqual(new Date("2026-11-27T00:00:00Z"));
    expect(cooldownUntil(releases, 1, 7, new Date("2026-11-27T00:00:00Z"))).toBeNull();
    expect(cooldownUntil(releases, 2, 7, at)).toBeNull();
  });
});
