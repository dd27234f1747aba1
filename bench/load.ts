/**
 * The load generator, run by bench/processes.ts in a process of its own: autocannon POSTs slash commands to
 * `/slack/events`, each body distinct (its own command line and trigger_id) and signed as Slack signs it,
 * at the moment it is sent. Prints one JSON line of figures.
 */
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { slackHeaders } from "../test/support/fake-slack.js";
import type { LoadResult, LoadSpec } from "./processes.js";

const spec = JSON.parse(readFileSync(process.env.LOAD_SPEC!, "utf8")) as LoadSpec;
const FORM = "application/x-www-form-urlencoded";
let next = 0;
// Requests past the end of the commands are GETs of /healthz while autocannon winds down: not counted.
let sent = 0;

function body(index: number): string {
  const [userId, command, text] = spec.commands[index]!;
  return new URLSearchParams({
    token: "legacy-verification-token", team_id: "T0001", team_domain: "bench", channel_id: "C_SALES", channel_name: "sales",
    user_id: userId, user_name: userId.toLowerCase(), command, text, api_app_id: "A0001", is_enterprise_install: "false",
    response_url: `${spec.responseBase}/response/load-${index}`, trigger_id: `trigger.load.${process.pid}.${index}`,
  }).toString();
}

let settle: (result: autocannon.Result) => void = () => undefined;
let fail: (error: unknown) => void = () => undefined;
const done = new Promise<autocannon.Result>((resolve, reject) => {
  settle = resolve;
  fail = reject;
});
const instance = autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationSec,
  timeout: 10,
  requests: [{
    method: "POST",
    path: "/slack/events",
    setupRequest: (req) => {
      // Every command is used once: past the end the run stops rather than repeat a state change.
      if (spec.cycle && next >= spec.commands.length) next = 0;
      if (next >= spec.commands.length) {
        instance.stop();
        return { ...req, method: "GET", path: "/healthz", body: "" };
      }
      const text = body(next++);
      sent += 1;
      return { ...req, body: text, headers: { ...req.headers, ...slackHeaders(spec.secret, text, FORM) } };
    },
  }],
}, (error, result) => (error ? fail(error) : settle(result)));

const result = await done;
// Without the wind-down's /healthz requests (which answer 200): only commands count, and only as many as were sent.
const requests = Math.min(result.requests.total, spec.cycle ? result.requests.total : sent);
const figures: LoadResult = {
  requests, rps: requests === result.requests.total ? result.requests.average : requests / result.duration, p50: result.latency.p50, p99: result.latency.p99,
  non2xx: result.non2xx, errors: result.errors + result.timeouts, seconds: result.duration,
};
console.log(JSON.stringify(figures));
