import type { IncomingMessage, ServerResponse } from "node:http";
import { type Bot, buildReport, parseWhen, reportMarkdown } from "../../core/index.js";
import type { HttpRoutes } from "../shared/http.js";
import { SECURITY_HEADERS } from "./assets.js";

const PERIODS = ["24h", "7d", "30d"] as const;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The period a request asks for (`?since=7d&until=…`), or an error message. */
function periodOf(req: IncomingMessage, now: number): { since?: number; until?: number } | string {
  const url = new URL(req.url ?? "/", "http://playground.invalid");
  const range: { since?: number; until?: number } = {};
  for (const key of ["since", "until"] as const) {
    const value = url.searchParams.get(key);
    if (!value) continue;
    const at = parseWhen(value, now);
    if (at === undefined) return `${key}: not a date, time or duration (e.g. 2026-01-31, 7d, 12h)`;
    range[key] = at;
  }
  return range;
}

/**
 * The read-only report of the answer log, for whoever may use the playground (with a token, only
 * those holding it): `GET /report` (markdown in a page) and `GET /api/report` (JSON), over
 * `?since=&until=`.
 */
export function mountReport(
  http: HttpRoutes,
  bot: Pick<Bot, "answerRecords">,
  admit: (req: IncomingMessage, res: ServerResponse) => boolean,
  now: () => number = Date.now,
): void {
  const build = async (req: IncomingMessage, res: ServerResponse) => {
    const headers = { ...SECURITY_HEADERS, "cache-control": "no-store" };
    const range = periodOf(req, now());
    if (typeof range === "string") {
      res.writeHead(400, { ...headers, "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ error: range }));
      return undefined;
    }
    const records = await bot.answerRecords(range);
    return { report: buildReport(records ?? [], range), recording: records !== undefined, headers };
  };
  http.route("GET", "/api/report", async (req, res) => {
    if (!admit(req, res)) return;
    const built = await build(req, res);
    if (!built) return;
    res.writeHead(200, { ...built.headers, "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ recording: built.recording, ...built.report }));
  });
  http.route("GET", "/report", async (req, res) => {
    if (!admit(req, res)) return;
    const built = await build(req, res);
    if (!built) return;
    const links = PERIODS.map((p) => `<a href="/report?since=${p}">last ${p}</a>`).join(" · ");
    const note = built.recording ? "" : "<p>Answers are not recorded (ANSWER_LOG=off).</p>";
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Spotlight report</title></head><body><nav>${links} · <a href="/report">everything</a> · <a href="/api/report">JSON</a></nav>${note}<pre>${escapeHtml(reportMarkdown(built.report))}</pre></body></html>`;
    res.writeHead(200, { ...built.headers, "content-type": "text/html; charset=utf-8" });
    res.end(body);
  });
}
