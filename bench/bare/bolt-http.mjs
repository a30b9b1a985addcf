// The bare framework Spotlight's Slack HTTP mode is measured against: a Bolt app whose slash
// command handler only acks, with a /healthz route so start-up is timed the same way.
import { App, LogLevel } from "@slack/bolt";

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  customRoutes: [
    {
      path: "/healthz",
      method: ["GET"],
      handler: (_req, res) => {
        res.writeHead(200);
        res.end("ok");
      },
    },
  ],
});
app.command(/.*/, async ({ ack }) => {
  await ack();
});
await app.start(Number(process.env.PORT));
process.on("SIGTERM", () => {
  app.stop().then(() => process.exit(0));
});
