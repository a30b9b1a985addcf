/** The playground: 👎 with a reason tied to the record, and the read-only report behind the token. */
import { afterEach, expect, it } from "vitest";
import type { StreamEvent, WebReply } from "../../src/adapters/web/wire.js";
import type { InsightReport } from "../../src/core/insight/report.js";
import { contractRecorder } from "../contract/contract.js";
import { type Playground, parseNdjson, startPlayground } from "../web/fixture.js";

const TOKEN = "playground-token-for-tests-0123";
const auth = { authorization: `Bearer ${TOKEN}` };
let pg: Playground | undefined;
afterEach(async () => {
  await pg?.close();
  pg = undefined;
});

async function askAs(base: string, cookie: string, text: string, conversation: string): Promise<WebReply> {
  const res = await fetch(new URL("api/ask", base), {
    method: "POST",
    headers: { ...auth, cookie, "content-type": "application/json" },
    body: JSON.stringify({ text, conversation }),
  });
  const last = parseNdjson(await res.text()).at(-1) as StreamEvent;
  if (last.type !== "reply") throw new Error("no reply");
  return last.reply;
}

it("ties a 👎 and its reason to the record; the report shows it only to token holders", async () => {
  const { answerLog, recorder } = contractRecorder();
  const started = await startPlayground({ env: { PLAYGROUND_TOKEN: TOKEN }, bot: { recorder } });
  pg = started;
  const page = await fetch(started.url, { headers: auth });
  const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const answered = await askAs(started.url, cookie, "Who uses KubeVirt?", "conversation-1");
  await askAs(started.url, cookie, "What's the weather in Paris?", "conversation-2");
  const rated = await fetch(new URL("api/feedback", started.url), {
    method: "POST",
    headers: { ...auth, cookie, "content-type": "application/json" },
    body: JSON.stringify({ replyId: answered.id, value: "down", reason: "Too short" }),
  });
  expect(rated.status).toBe(200);
  const records = await answerLog.list();
  expect(records.map((r) => [r.platform, r.question, r.outcome])).toEqual([
    ["web", "Who uses KubeVirt?", "extractive"],
    ["web", "What's the weather in Paris?", "declined"],
  ]);
  expect(records[0]?.feedback).toMatchObject([{ value: "down", reason: "Too short" }]);

  expect((await fetch(new URL("api/report", started.url))).status).toBe(401);
  expect((await fetch(new URL("report", started.url))).status).toBe(401);
  const json = await fetch(new URL("api/report?since=1d", started.url), { headers: auth });
  const report = (await json.json()) as InsightReport & { recording: boolean };
  expect(report.recording).toBe(true);
  expect(report.declined.map((g) => g.question)).toEqual(["What's the weather in Paris?"]);
  expect(report.disliked).toMatchObject([{ question: "Who uses KubeVirt?", reasons: ["Too short"] }]);
  const html = await (await fetch(new URL("report", started.url), { headers: auth })).text();
  expect(html).toContain("What&#39;s the weather in Paris?");
  expect(
    (await fetch(new URL("api/report?since=yesterday-ish", started.url), { headers: auth })).status,
  ).toBe(400);
});
