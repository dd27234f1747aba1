import { DirectoryError, type Directory, type DirectoryPerson } from "../../services/directory.js";
import { retrying } from "../retry.js";
import { WecomApiError, WecomNetworkError, type WecomClient } from "./client.js";

/** How the directory waits and how often it asks again when WeCom is busy. */
export interface WecomDirectoryOptions {
  /** Tries per call on -1 (busy), 45009 (frequency) or a network failure; WeCom advises no more than 3 retries. */
  readonly tries?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** errcodes that say which way an admin must fix things (WeCom's global error codes). */
const INVALID_DEPARTMENT = 60123;
const NO_PRIVILEGE = 60011;
const API_FORBIDDEN = 48002;
const USER_NOT_FOUND = 60111;
/** user/list `status`: 2 disabled, 5 left the company; 1 active and 4 not yet activated are people. */
const GONE = new Set([2, 5]);

/**
 * WeCom's directory for a self-built app: a department and every department under it
 * (`department/simplelist`), the members of each (`user/list`), and one member (`user/get`). The app reads
 * only its visible range (可见范围); since 20 June 2022 an app created after that date no longer gets email
 * (nor mobile, avatar, gender, address) from these calls, so its people are matched by UserID, by the
 * funnelbot.yaml file, or by `funnelbot members link`. A name is there for self-built apps; where WeCom
 * gives the UserID instead (third-party apps), it is kept as it came.
 */
export function wecomDirectory(client: WecomClient, options: WecomDirectoryOptions = {}): Directory {
  // Busy, over its rate or unreachable: try again after 0.5, 1, 2 s; anything else ends the read.
  const call = <T>(what: string, run: () => Promise<T>): Promise<T> => retrying(run, {
    tries: options.tries ?? 4, sleep: options.sleep, failed: (error) => readError(what, error),
    waitMs: (error, attempt) => (error instanceof WecomNetworkError || (error instanceof WecomApiError && error.retryable) ? 500 * 2 ** (attempt - 1) : null),
  });
  return {
    platform: "wecom",
    async members(group) {
      const id = Number(group);
      if (!/^\d{1,10}$/.test(group) || !Number.isSafeInteger(id)) throw new DirectoryError("not-found", `department ${group}: a WeCom department id is a number (通讯录 → the department → 部门ID).`);
      const departments = await call(`department/simplelist ${id}`, () => client.departmentIds(id));
      // The department itself comes first in WeCom's answer; asked for anyway in case an answer leaves it out.
      const ids = [...new Set([id, ...departments.map((d) => Number(d.id)).filter(Number.isSafeInteger)])];
      const people = new Map<string, DirectoryPerson>();
      for (const department of ids) {
        for (const user of await call(`user/list ${department}`, () => client.departmentUsers(department))) {
          const person = personOf(user);
          if (person.id && !people.has(person.id)) people.set(person.id, person);
        }
      }
      return [...people.values()];
    },
    async person(id) {
      try {
        return personOf(await call(`user/get ${id}`, () => client.user(id)));
      } catch (error) {
        if (error instanceof DirectoryError && error.code === "not-found") return null;
        throw error;
      }
    },
  };
}

/** A `user/list` or `user/get` entry as a {@link DirectoryPerson}: no locale (WeCom does not say one). */
export function personOf(user: Record<string, unknown>): DirectoryPerson {
  const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");
  const id = text(user.userid);
  const email = text(user.email) || text(user.biz_mail);
  return {
    id,
    name: text(user.name) || id,
    locale: null,
    email: email ? email.toLowerCase() : null,
    member: !GONE.has(Number(user.status)),
  };
}

/** A WeCom failure as a {@link DirectoryError} with a line an admin can act on (never the URL: it holds the token). */
function readError(what: string, error: unknown): DirectoryError {
  if (error instanceof WecomApiError) {
    if (error.errcode === INVALID_DEPARTMENT) return new DirectoryError("not-found", `${what}: WeCom says the department does not exist (errcode 60123); the id is under 通讯录 → the department → 部门ID.`);
    if (error.errcode === USER_NOT_FOUND) return new DirectoryError("not-found", `${what}: WeCom knows no such UserID (errcode 60111).`);
    if (error.errcode === NO_PRIVILEGE || error.errcode === API_FORBIDDEN) {
      return new DirectoryError("missing-scope", `${what}: the app may not read it (errcode ${error.errcode}); add the department to the app's 可见范围 (visible range) in the WeCom admin console.`);
    }
    if (error.retryable) return new DirectoryError("unavailable", `${what}: WeCom kept answering busy (errcode ${error.errcode || error.status}); try again later.`);
    return new DirectoryError("unavailable", `${error.message}.`);
  }
  if (error instanceof WecomNetworkError) return new DirectoryError("unavailable", `${error.message}; try again later.`);
  return new DirectoryError("unavailable", `${what}: ${error instanceof Error ? error.message : String(error)}.`);
}
