/**
 * The baseline of the commands benchmark: a Bolt app in HTTP mode, on the same kind of server as the bot
 * (node:http with the receiver's request listener), verifying the same signatures, whose only handler acks.
 */
import { createServer } from "node:http";
import { App, HTTPReceiver, LogLevel } from "@slack/bolt";

const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? "", endpoints: "/slack/events" });
// Like the bot, it reaches the Web API (auth.test, once) at SLACK_API_URL: the run's fake Slack.
const apiUrl = process.env.SLACK_API_URL;
const app = new App({ token: "xoxb-bare", receiver, logLevel: LogLevel.ERROR, clientOptions: apiUrl ? { slackApiUrl: apiUrl } : {} });
app.command(/.*/, async ({ ack }) => {
  await ack();
});

const server = createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    return;
  }
  void receiver.requestListener(req, res);
});
server.listen(Number(process.env.PORT), process.env.HOST ?? "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
