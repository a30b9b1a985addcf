/**
 * The adapter contract: what every platform must do, run by each adapter against its own fake
 * platform through a small driver. A new platform passes this suite before anything else.
 */
import { describe, expect, it } from "vitest";
import type { Answerer, AnswerInput, AnswerResult } from "../../src/core/answer/answerer.js";
import { toSources } from "../../src/core/answer/sources.js";
import type { Feedback } from "../../src/core/bot.js";
import type { AnswerLog } from "../../src/core/insight/answer-record.js";
import { AnswerRecorder } from "../../src/core/insight/answer-recorder.js";
import { MemoryAnswerLog } from "../../src/core/insight/memory-answer-log.js";
import { buildReport } from "../../src/core/insight/report.js";
import { silentLogger } from "../../src/core/logger.js";

/** Holds an answer until the test opens it. */
export class Gate {
  private open_: () => void = () => {};
  readonly promise = new Promise<void>((resolve) => {
    this.open_ = resolve;
  });
  open(): void {
    this.open_();
  }
}

export const STREAM_STEPS = 50;

/**
 * Stands in for the model. `plain` answers at once (the second turn of a conversation says what
 * the first asked, which proves memory); `stream` reports STREAM_STEPS partial texts in one burst,
 * then waits for `gate`; `hold` waits for `gate` without streaming.
 */
export class ContractAnswerer implements Answerer {
  /** `slow` waits for `gate` or the request's cancellation, then answers with the best it has. */
  mode: "plain" | "stream" | "hold" | "slow" | "stuck" = "plain";
  gate = new Gate();
  calls = 0;

  async answer(input: AnswerInput): Promise<AnswerResult> {
    this.calls++;
    const sources = toSources(input.retrieval.hits.slice(0, 1).map((h) => h.passage));
    const previous = input.history.at(-1);
    if (this.mode === "stream") {
      let text = "Streaming:";
      for (let i = 1; i <= STREAM_STEPS; i++) {
        text += ` step${i}`;
        input.onProgress?.({ text });
      }
      await this.gate.promise;
      return { text: `${text} done [1].`, mode: "llm", sources };
    }
    if (this.mode === "hold") await this.gate.promise;
    // A model that ignores cancellation: only the gate ends it.
    if (this.mode === "stuck") await this.gate.promise;
    if (this.mode === "slow") {
      const signal = input.signal;
      await Promise.race([
        this.gate.promise,
        new Promise<void>((resolve) => {
          if (signal?.aborted) resolve();
          else signal?.addEventListener("abort", () => resolve(), { once: true });
        }),
      ]);
      if (signal?.aborted)
        return {
          text: "Best answer ready: Nvidia and Cloudflare use KubeVirt [1].",
          mode: "extractive",
          sources,
        };
    }
    if (/pricing/i.test(input.question))
      return {
        text: "The article doesn't say what it costs; it says vCluster is open source [1].",
        mode: "llm",
        sources,
        hedged: true,
      };
    const text = previous
      ? `Follow-up answer; earlier you asked: ${previous.question} [1]`
      : "Nvidia and Cloudflare use KubeVirt [1].";
    return { text, mode: "llm", sources };
  }
}

/** An answer in progress on the platform. */
export interface PendingAnswer {
  /** Where follow-ups go (a thread, a conversation). */
  thread: Promise<string>;
  /** What the person sees once the answer is complete. */
  done: Promise<string>;
}

/** One adapter running against its fake platform, as the contract drives it. */
export interface ContractSession {
  answerer: ContractAnswerer;
  feedback: Feedback[];
  /** Where the session's bot records free questions (see contractRecorder). */
  answerLog: AnswerLog;
  /** Runs `/name text`; resolves with the visible text of the reply. */
  command(name: string, text: string): Promise<string>;
  /** Asks a free question the way people do on the platform (a mention, a message). */
  ask(question: string): PendingAnswer;
  /** Asks in an existing thread or conversation, without a mention. */
  followUp(thread: string, question: string): Promise<string>;
  /** Texts shown so far for an answer still being written (placeholder, edits, streamed lines). */
  progress(): string[];
  /** Answers the platform has published so far (final messages, not progress). */
  answers(): number;
  /** Rates the last answer 👍 as the platform's UI does. */
  rateLastAnswer?(): Promise<void>;
  /** Delivers one question twice as the platform redelivers it (same event). */
  askTwice?(question: string): Promise<void>;
  /** Waits until the adapter has nothing in progress. */
  idle(): Promise<void>;
  stop(graceMs: number): Promise<void>;
}

export interface ContractCapabilities {
  /** The platform edits one message as the answer streams (so edits must be throttled). */
  editsMessages: boolean;
  /** The platform may deliver one event twice (retries, reconnects, several replicas). */
  redelivers: boolean;
}

/** The answer log and recorder every contract session's bot records into. */
export function contractRecorder(): { answerLog: MemoryAnswerLog; recorder: AnswerRecorder } {
  const answerLog = new MemoryAnswerLog();
  return {
    answerLog,
    recorder: new AnswerRecorder(answerLog, { redactQuestions: false, logger: silentLogger }),
  };
}

export async function until(check: () => boolean, message: string): Promise<void> {
  await expect.poll(check, { timeout: 8000, interval: 10, message }).toBe(true);
}

/** Registers the contract for one adapter; `start` gives a fresh session per test. */
export function adapterContract(
  name: string,
  start: () => Promise<ContractSession>,
  capabilities: ContractCapabilities,
): void {
  describe(`${name} adapter contract`, () => {
    it("answers a command with its reply", async () => {
      const s = await start();
      try {
        const text = await s.command("project", "kubevirt");
        expect(text).toMatch(/KubeVirt/);
        expect(text).toMatch(/5,000/);
      } finally {
        await s.stop(1000);
      }
    });

    it("renders /compare as a comparison", async () => {
      const s = await start();
      try {
        const text = await s.command("compare", "capi vcluster");
        expect(text).toMatch(/Cluster API/);
        expect(text).toMatch(/vCluster/);
        expect(text).toMatch(/3,700/);
        expect(text).toMatch(/8,000/);
      } finally {
        await s.stop(1000);
      }
    });

    it("answers a question in its own thread and remembers it for follow-ups", async () => {
      const s = await start();
      try {
        const first = s.ask("Who uses KubeVirt?");
        expect(await first.done).toMatch(/Nvidia and Cloudflare/);
        const followUp = await s.followUp(await first.thread, "How many GitHub stars does KubeVirt have?");
        expect(followUp).toMatch(/earlier you asked: Who uses KubeVirt\?/);
        expect(s.answerer.calls).toBe(2);
      } finally {
        await s.stop(1000);
      }
    });

    it("streams a slow answer, then shows it whole", async () => {
      const s = await start();
      try {
        s.answerer.mode = "stream";
        const pending = s.ask("Who uses KubeVirt?");
        // All steps arrive in one burst; the last partial text is shown while the answer waits.
        await until(() => s.progress().some((t) => t.includes(`step${STREAM_STEPS}`)), "progress shown");
        const shown = s.progress();
        if (capabilities.editsMessages) {
          // Fifty partial texts in one burst become a handful of edits, within the platform's limits.
          expect(shown.length).toBeLessThanOrEqual(4);
        }
        expect(s.answers()).toBe(0);
        s.answerer.gate.open();
        expect(await pending.done).toMatch(new RegExp(`step${STREAM_STEPS} done`));
      } finally {
        await s.stop(1000);
      }
    });

    if (capabilities.redelivers) {
      it("answers a redelivered question once", async () => {
        const s = await start();
        try {
          await s.askTwice?.("Who uses KubeVirt?");
          await s.idle();
          expect(s.answerer.calls).toBe(1);
          expect(s.answers()).toBe(1);
        } finally {
          await s.stop(1000);
        }
      });
    }

    it("records feedback on an answer where the platform offers it", async () => {
      const s = await start();
      try {
        expect(await s.ask("Who uses KubeVirt?").done).toMatch(/Nvidia/);
        if (!s.rateLastAnswer) {
          // A platform without rating controls (the terminal) records none.
          expect(s.feedback).toEqual([]);
          return;
        }
        await s.rateLastAnswer();
        await until(() => s.feedback.length === 1, "feedback recorded");
        expect(s.feedback[0]).toMatchObject({ value: "up" });
      } finally {
        await s.stop(1000);
      }
    });

    it("replaces an answer still running at the end of the grace period with the best one ready", async () => {
      const s = await start();
      s.answerer.mode = "slow";
      const pending = s.ask("Who uses KubeVirt?");
      await until(() => s.answerer.calls === 1, "answer started");
      await s.stop(200);
      expect(await pending.done).toMatch(/Best answer ready/);
    });

    it("leaves the restart note when an answer cannot even end at the grace period", async () => {
      const s = await start();
      s.answerer.mode = "stuck";
      const pending = s.ask("Who uses KubeVirt?");
      await until(() => s.answerer.calls === 1, "answer started");
      await s.stop(200);
      expect(await pending.done).toMatch(/restarting/i);
      s.answerer.gate.open();
    });

    it("records each free question with its outcome and feedback, as the report groups them", async () => {
      const s = await start();
      try {
        expect(await s.ask("Who uses KubeVirt?").done).toMatch(/Nvidia/);
        if (s.rateLastAnswer) {
          await s.rateLastAnswer();
          await until(() => s.feedback.length === 1, "feedback recorded");
        }
        await s.ask("What's vCluster's pricing?").done;
        await s.command("ask", "What's the weather in Paris?");
        await s.idle();
        const records = await s.answerLog.list();
        expect(records.map((r) => [r.question, r.outcome])).toEqual([
          ["Who uses KubeVirt?", "model"],
          ["What's vCluster's pricing?", "hedged"],
          ["What's the weather in Paris?", "declined"],
        ]);
        const rated = s.rateLastAnswer ? ["up"] : [];
        expect(records[0]?.feedback.map((f) => f.value)).toEqual(rated);
        for (const r of records) expect(r.userHash).toMatch(/^[A-Za-z0-9_-]{16}$/);
        const report = buildReport(records);
        expect(report.topQuestions.map((g) => g.question).sort()).toEqual(
          ["What's the weather in Paris?", "What's vCluster's pricing?", "Who uses KubeVirt?"].sort(),
        );
        expect(report.declined.map((g) => g.question)).toEqual(["What's the weather in Paris?"]);
        expect(report.hedged.map((g) => g.question)).toEqual(["What's vCluster's pricing?"]);
        expect(report.totals.feedback).toEqual({ up: rated.length, down: 0 });
      } finally {
        await s.stop(1000);
      }
    });

    it("lets an answer in progress finish when it stops", async () => {
      const s = await start();
      s.answerer.mode = "hold";
      const pending = s.ask("Who uses KubeVirt?");
      await until(() => s.answerer.calls === 1, "answer started");
      const stopping = s.stop(5000);
      s.answerer.gate.open();
      await stopping;
      expect(await pending.done).toMatch(/Nvidia and Cloudflare/);
    });
  });
}
