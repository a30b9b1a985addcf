import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { BotMetrics } from "../core/metrics.js";
import type { HttpServer } from "./server.js";

/** Prometheus metrics behind the core's BotMetrics interface, served at /metrics. */
export class PrometheusMetrics implements BotMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "spotlight_requests_total",
    help: "Requests by platform, command and outcome",
    labelNames: ["platform", "command", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly answers = new Histogram({
    name: "spotlight_answer_seconds",
    help: "Time to a final answer, by answer mode",
    labelNames: ["mode"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80],
    registers: [this.registry],
  });
  private readonly retrieval = new Histogram({
    name: "spotlight_retrieval_seconds",
    help: "Time to retrieve passages for a question",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });
  private readonly fallbacks = new Counter({
    name: "spotlight_fallbacks_total",
    help: "Extractive answers given instead of the model's, by reason",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  private readonly llmFailures = new Counter({
    name: "spotlight_llm_failures_total",
    help: "Failed model calls, by kind (error or timeout)",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  private readonly queue = new Gauge({
    name: "spotlight_llm_queue_depth",
    help: "Model calls waiting for a slot",
    registers: [this.registry],
  });
  private readonly llmState = new Gauge({
    name: "spotlight_llm_state",
    help: "The model's state: 1 for the current one (ready, degraded, down, circuit-open, unauthorised, unusable, starting)",
    labelNames: ["state"] as const,
    registers: [this.registry],
  });
  private readonly llmContext = new Gauge({
    name: "spotlight_llm_context_tokens",
    help: "The context size prompts are budgeted for (learned from the server or configured)",
    registers: [this.registry],
  });
  private readonly llmConcurrency = new Gauge({
    name: "spotlight_llm_max_concurrency",
    help: "Model calls at once (the server's slots unless LLM_MAX_CONCURRENCY is set)",
    registers: [this.registry],
  });
  private readonly dedupe = new Counter({
    name: "spotlight_dedupe_hits_total",
    help: "Redelivered events answered once (duplicates dropped), by platform",
    labelNames: ["platform"] as const,
    registers: [this.registry],
  });
  private readonly feedbacks = new Counter({
    name: "spotlight_feedback_total",
    help: "Answer feedback clicks, by platform and value",
    labelNames: ["platform", "value"] as const,
    registers: [this.registry],
  });

  private readonly knowledge = new Gauge({
    name: "spotlight_knowledge_base_info",
    help: "The knowledge base in use (1 for its version)",
    labelNames: ["version"],
    registers: [this.registry],
  });
  private readonly reloads = new Counter({
    name: "spotlight_knowledge_base_reloads_total",
    help: "Knowledge-base reloads by outcome",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  private readonly answersByMode = new Counter({
    name: "spotlight_answers_total",
    help: "Free questions answered, by platform and outcome (model, extractive, hedged, declined, clarify, fallback)",
    labelNames: ["platform", "mode"] as const,
    registers: [this.registry],
  });
  private readonly questionLatency = new Histogram({
    name: "spotlight_question_seconds",
    help: "Time to a free question's final answer, by platform (adapter)",
    labelNames: ["platform"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: "spotlight_" });
  }

  request(platform: string, command: string, outcome: string): void {
    this.requests.inc({ platform, command, outcome });
  }
  answerSeconds(mode: string, seconds: number): void {
    this.answers.observe({ mode }, seconds);
  }
  retrievalSeconds(seconds: number): void {
    this.retrieval.observe(seconds);
  }
  fallback(reason: string): void {
    this.fallbacks.inc({ reason });
  }
  llmFailure(kind: "error" | "timeout"): void {
    this.llmFailures.inc({ kind });
  }
  llmQueueDepth(depth: number): void {
    this.queue.set(depth);
  }
  llmHealth(health: { state: string; contextTokens: number; maxConcurrency: number }): void {
    this.llmState.reset();
    this.llmState.set({ state: health.state }, 1);
    this.llmContext.set(health.contextTokens);
    this.llmConcurrency.set(health.maxConcurrency);
  }
  dedupeHit(platform: string): void {
    this.dedupe.inc({ platform });
  }
  feedback(platform: string, value: "up" | "down"): void {
    this.feedbacks.inc({ platform, value });
  }
  answered(platform: string, outcome: string, seconds: number): void {
    this.answersByMode.inc({ platform, mode: outcome });
    this.questionLatency.observe({ platform }, seconds);
  }

  /** The knowledge base now in use. */
  knowledgeBase(version: string): void {
    this.knowledge.reset();
    this.knowledge.set({ version }, 1);
  }
  knowledgeReload(outcome: "changed" | "unchanged" | "failed"): void {
    this.reloads.inc({ outcome });
  }

  /** Reports the shared store (Redis) as up or out, and the calls answered from local state meanwhile. */
  watchSharedState(status: () => { up: boolean; fallbacks: number }): void {
    new Gauge({
      name: "spotlight_shared_state_up",
      help: "1 while the shared store (Redis) answers, 0 during an outage (local state is used)",
      registers: [this.registry],
      collect() {
        this.set(status().up ? 1 : 0);
      },
    });
    new Gauge({
      name: "spotlight_shared_state_fallbacks",
      help: "Shared-store calls answered from this replica's own state because the store failed",
      registers: [this.registry],
      collect() {
        this.set(status().fallbacks);
      },
    });
  }

  /** Mounts GET /metrics on the server. */
  mount(http: HttpServer): void {
    http.route("GET", "/metrics", async (_req, res) => {
      const body = await this.registry.metrics();
      res.writeHead(200, { "content-type": this.registry.contentType });
      res.end(body);
    });
  }
}
