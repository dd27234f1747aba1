import { describe, expect, it } from "vitest";
import type { Actor } from "../../src/domain/account.js";
import {
  ASKERS, CAPABILITIES, OWNERSHIPS, PERMISSIONS, TEAM_RELATIONS, mayChangeMember, permission, type Answer,
} from "../../src/domain/permissions.js";

const every = CAPABILITIES.flatMap((capability) => ASKERS.flatMap((asker) => TEAM_RELATIONS.flatMap((team) => OWNERSHIPS.map((ownership) => ({ capability, asker, team, ownership })))));
const refused = (answer: Answer) => typeof answer === "object";

describe("the permission table", () => {
  it(`has one answer for each of its ${every.length} cells, and no other rows`, () => {
    for (const cell of every) {
      const answer = permission(cell.capability, cell.asker, cell.team, cell.ownership);
      expect([cell, answer === "allow" || answer === "claim" || typeof answer.deny === "string"]).toEqual([cell, true]);
    }
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...CAPABILITIES].sort());
  });

  it("refuses strangers everything, as people who must ask an admin", () => {
    for (const cell of every.filter((c) => c.asker === "stranger")) expect(permission(cell.capability, "stranger", cell.team, cell.ownership)).toEqual({ deny: "unknown-member" });
  });

  it("never lets a rep work a teammate's account, nor anyone act on another team's stage but admins", () => {
    for (const cell of every.filter((c) => c.asker === "rep" && c.ownership === "teammate" && !["show", "mine", "pool", "tasks", "funnel", "digest", "create"].includes(c.capability))) {
      expect(refused(permission(cell.capability, "rep", cell.team, "teammate"))).toBe(true);
    }
    for (const capability of ["accept", "advance", "churn", "reassign", "override", "claim", "complete-task"] as const) {
      for (const asker of ["rep", "manager"] as const) for (const ownership of OWNERSHIPS) expect(refused(permission(capability, asker, "other", ownership))).toBe(true);
    }
  });

  it("makes every unowned account a claim, so nobody acts on an account that then has no owner", () => {
    for (const capability of ["accept", "return", "disqualify", "qualify", "advance", "renew", "next-step"] as const) {
      for (const asker of ["rep", "manager"] as const) {
        expect(permission(capability, asker, "own", "pool")).toBe("claim");
        expect(permission(capability, asker, "own", "unowned")).toBe("claim");
      }
    }
    // The bot moves by the playbook's own rules and never becomes an owner.
    expect(permission("handoff", "bot", "own", "unowned")).toBe("allow");
  });

  it("lets only an admin touch an admin, nobody change their own role, and keeps the last admin", () => {
    const actor = (role: Actor["role"], teamKey = "sales", id = 1): Actor => ({ id, handle: `m${id}`, displayName: `M${id}`, teamKey, role, locale: "en", away: false });
    const admin = { id: 9, teamKey: "marketing", role: "admin" as const };
    expect(mayChangeMember(actor("manager"), admin, { teamKey: "sales", role: "rep" }, 2)).toMatchObject({ ok: false, error: { code: "forbidden", details: { needs: "admin" } } });
    expect(mayChangeMember(actor("manager"), { id: 5, teamKey: "cs", role: "manager" }, { teamKey: "sales", role: "rep" }, 1)).toMatchObject({ ok: false, error: { details: { needs: "own-team" } } });
    expect(mayChangeMember(actor("manager"), { id: 5, teamKey: "sales", role: "rep" }, { teamKey: "cs", role: "rep" }, 1)).toMatchObject({ ok: false, error: { details: { needs: "own-team" } } });
    expect(mayChangeMember(actor("manager"), { id: 5, teamKey: "sales", role: "rep" }, { teamKey: "sales", role: "admin" }, 1)).toMatchObject({ ok: false, error: { details: { needs: "admin" } } });
    expect(mayChangeMember(actor("manager"), { id: 5, teamKey: "sales", role: "rep" }, { teamKey: "sales", role: "manager" }, 1)).toEqual({ ok: true, value: undefined });
    expect(mayChangeMember(actor("manager"), null, { teamKey: "sales", role: "rep" }, 1).ok).toBe(true);
    expect(mayChangeMember(actor("rep"), null, { teamKey: "sales", role: "rep" }, 1)).toMatchObject({ ok: false, error: { details: { needs: "manager" } } });
    expect(mayChangeMember(actor("admin", "marketing", 9), admin, { teamKey: "marketing", role: "rep" }, 2)).toMatchObject({ ok: false, error: { details: { needs: "admin" } } });
    expect(mayChangeMember(actor("admin", "marketing", 8), admin, { teamKey: "marketing", role: "rep" }, 2).ok).toBe(true);
    expect(mayChangeMember(actor("admin", "marketing", 8), admin, { teamKey: "marketing", role: "rep" }, 1)).toMatchObject({ ok: false, error: { code: "last-admin" } });
  });
});
