import { describe, expect, it } from "vitest";
import { ACCESS_QUIET_MS, mayDecideAccess, onAccessAsk, type AccessRequestFacts } from "../../src/domain/access.js";

const at = new Date("2026-11-23T02:00:00Z");
const later = (ms: number) => new Date(at.getTime() + ms);
const request = (facts: Partial<AccessRequestFacts>): AccessRequestFacts => ({ id: 1, status: "pending", requestedAt: at, decidedAt: null, decidedBy: null, ...facts });

describe("requests for access", () => {
  it("asks the admins the first time, then at most once a day per person", () => {
    expect(onAccessAsk(null, at)).toBe("notify");
    expect(onAccessAsk(request({}), later(ACCESS_QUIET_MS - 1))).toBe("pending");
    expect(onAccessAsk(request({}), later(ACCESS_QUIET_MS))).toBe("notify");
  });

  it("counts the day from the answer once a request was ignored (or granted to someone who since left)", () => {
    const ignored = request({ status: "ignored", requestedAt: new Date(at.getTime() - 5 * ACCESS_QUIET_MS), decidedAt: at, decidedBy: "Ada" });
    expect(onAccessAsk(ignored, later(60_000))).toBe("pending");
    expect(onAccessAsk(ignored, later(ACCESS_QUIET_MS))).toBe("notify");
  });

  it("is answered once: a decided request names who decided it", () => {
    expect(mayDecideAccess(request({})).ok).toBe(true);
    const decided = mayDecideAccess(request({ status: "granted", decidedAt: at, decidedBy: "Ada" }));
    expect(decided).toEqual({ ok: false, error: { code: "access-decided", details: { id: 1, status: "granted", by: "Ada" } } });
  });
});
