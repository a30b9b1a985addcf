import { describe, expect, it } from "vitest";
import { PrometheusMetrics } from "../../src/http/metrics.js";
import { createTestBot } from "../helpers.js";

describe("Prometheus metrics", () => {
  it("count requests by platform, command and outcome, and time answers by mode", async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    const bot = await createTestBot({ metrics, rateLimits: { perUser: 2, perChannel: 0, windowMs: 60_000 } });
    const base = { platform: "discord" as const, conversationId: "discord:G:C:1", userId: "u" };
    await bot.handle({ ...base, kind: "question", text: "Who uses KubeVirt?" });
    await bot.handle({ ...base, kind: "command", name: "kubevirt" });
    await bot.handle({ ...base, kind: "command", name: "projects" });
    bot.recordFeedback({
      platform: "discord",
      conversationId: "c",
      userId: "u",
      messageRef: "m",
      value: "down",
    });
    metrics.dedupeHit("slack");
    metrics.fallback("llm-timeout");
    metrics.llmFailure("timeout");
    metrics.llmQueueDepth(3);
    const text = await metrics.registry.metrics();
    expect(text).toContain('spotlight_requests_total{platform="discord",command="question",outcome="ok"} 1');
    // Per-project shortcuts share one label so the series count stays bounded.
    expect(text).toContain(
      'spotlight_requests_total{platform="discord",command="project-shortcut",outcome="ok"} 1',
    );
    expect(text).toContain(
      'spotlight_requests_total{platform="discord",command="projects",outcome="rate-limited"} 1',
    );
    expect(text).toMatch(/spotlight_answer_seconds_count\{mode="extractive"\} 1/);
    expect(text).toMatch(/spotlight_retrieval_seconds_count 1/);
    expect(text).toContain('spotlight_feedback_total{platform="discord",value="down"} 1');
    expect(text).toContain('spotlight_dedupe_hits_total{platform="slack"} 1');
    expect(text).toContain('spotlight_fallbacks_total{reason="llm-timeout"} 1');
    expect(text).toContain('spotlight_llm_failures_total{kind="timeout"} 1');
    expect(text).toContain("spotlight_llm_queue_depth 3");
  });
});
