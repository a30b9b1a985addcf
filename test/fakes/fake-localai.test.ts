/**
 * Self-test of the fake against the REAL `openai` SDK. Besides checking the fake, these tests pin
 * down what the SDK does with each misbehaviour, which Spotlight's LLM client has to handle.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getJson } from "../../src/llm/server-probe.js";
import { DEFAULT_REPLY, type FakeLocalAI, startFakeLocalAI } from "./fake-localai.js";

let fake: FakeLocalAI;

beforeAll(async () => {
  fake = await startFakeLocalAI({ models: ["test-model", { id: "other-model", owned_by: "me" }] });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

function client(timeout = 2000): OpenAI {
  // logLevel "off": the SDK logs unparsable SSE lines at error level, which is only noise here.
  return new OpenAI({ baseURL: fake.baseURL, apiKey: "x", maxRetries: 0, timeout, logLevel: "off" });
}

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: "system", content: "Answer with citations." },
  { role: "user", content: "What is Kubernetes?" },
];

interface Collected {
  text: string;
  finishReason: string | null;
  usage: OpenAI.CompletionUsage | null | undefined;
  chunks: number;
}

async function collect(stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>): Promise<Collected> {
  const out: Collected = { text: "", finishReason: null, usage: undefined, chunks: 0 };
  for await (const chunk of stream) {
    out.chunks++;
    const choice = chunk.choices[0];
    out.text += choice?.delta?.content ?? "";
    if (choice?.finish_reason) out.finishReason = choice.finish_reason;
    if (chunk.usage) out.usage = chunk.usage;
  }
  return out;
}

async function streamText(openai = client(), model = "test-model"): Promise<Collected> {
  const stream = await openai.chat.completions.create({
    model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  return collect(stream);
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 10));
}

/** Runs `fn` and returns what it threw (or "resolved" with the value). */
async function outcome<T>(fn: () => Promise<T>): Promise<{ threw: unknown } | { resolved: T }> {
  try {
    return { resolved: await fn() };
  } catch (error) {
    return { threw: error };
  }
}

describe("endpoints", () => {
  it("lists the configured models and can change them", async () => {
    const list = await client().models.list();
    expect(list.data.map((m) => [m.id, m.object, m.owned_by])).toEqual([
      ["test-model", "model", "localai"],
      ["other-model", "model", "me"],
    ]);
    fake.setModels(["something-else"]);
    const after = await client().models.list();
    expect(after.data.map((m) => m.id)).toEqual(["something-else"]);
  });

  it("answers /readyz, /healthz and /health", async () => {
    const root = fake.baseURL.replace(/\/v1$/, "");
    expect((await fetch(`${root}/healthz`)).status).toBe(200);
    expect((await fetch(`${root}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${root}/health`)).json()).toEqual({ status: "ok" });
    fake.ready = false;
    expect((await fetch(`${root}/readyz`)).status).toBe(503);
  });
});

describe("happy paths", () => {
  it("streams the default reply, OpenAI shape, with usage when asked", async () => {
    const got = await streamText();
    expect(got.text).toBe(DEFAULT_REPLY);
    expect(got.finishReason).toBe("stop");
    expect(got.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("answers non-streaming requests", async () => {
    const res = await client().chat.completions.create({ model: "whatever-model", messages });
    expect(res.object).toBe("chat.completion");
    expect(res.model).toBe("whatever-model"); // echoed, like llama.cpp
    expect(res.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    expect(res.choices[0]?.finish_reason).toBe("stop");
    expect(res.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("records the request body, headers and time", async () => {
    const before = Date.now();
    await streamText();
    expect(fake.requests).toHaveLength(1);
    const req = fake.lastRequest;
    expect(req?.path).toBe("/v1/chat/completions");
    expect(req?.stream).toBe(true);
    expect(req?.model).toBe("test-model");
    expect(req?.messages).toEqual([
      { role: "system", content: "Answer with citations." },
      { role: "user", content: "What is Kubernetes?" },
    ]);
    expect(req?.headers.authorization).toBe("Bearer x");
    expect(req?.receivedAt).toBeGreaterThanOrEqual(before);
    expect(req?.body).toMatchObject({ stream_options: { include_usage: true } });
  });

  it("scripts the reply as a string or a function of the request", async () => {
    fake.queue([{ reply: "fixed" }, { reply: (r) => `echo: ${r.messages.at(-1)?.content ?? ""}` }]);
    expect((await streamText()).text).toBe("fixed");
    expect((await streamText()).text).toBe("echo: What is Kubernetes?");
    expect((await streamText()).text).toBe(DEFAULT_REPLY); // queue consumed
  });

  it("parses the llama.cpp stream shape (no role chunk, usage on the finish chunk, timings)", async () => {
    fake.behave({ llamaCppShape: true, reply: "a b c" });
    const openai = client();
    const stream = await openai.chat.completions.create({ model: "test-model", messages, stream: true });
    const raw: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) raw.push(chunk);
    expect(raw[0]?.choices[0]?.delta.role).toBeUndefined();
    const last = raw.at(-1);
    expect(last?.choices[0]?.finish_reason).toBe("stop");
    expect(last?.usage?.completion_tokens).toBe(3); // although stream_options was not sent
    expect(last).toHaveProperty("timings");
    expect(raw.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("a b c");
  });

  it("noUsage, emptyDeltas and usage overrides", async () => {
    fake.queue([
      { noUsage: true },
      { emptyDeltas: true, reply: "a b" },
      { usage: { prompt_tokens: 0, completion_tokens: 0 } },
    ]);
    expect((await streamText()).usage).toBeUndefined();
    const empty = await streamText();
    expect(empty.text).toBe("a b");
    expect(empty.chunks).toBe(1 + 2 * 3 + 1 + 1); // role, 3 per word, finish, usage
    expect((await streamText()).usage).toMatchObject({
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
    });
  });

  it("unfinished: no text and finish_reason null, the SDK ends silently", async () => {
    fake.behave({ unfinished: true });
    const got = await streamText();
    expect(got).toMatchObject({ text: "", finishReason: null });
  });

  it("noDone: the SDK ends silently with the text so far", async () => {
    fake.behave({ noDone: true });
    const got = await streamText();
    expect(got.text).toBe(DEFAULT_REPLY);
  });

  it("finishReason length", async () => {
    fake.behave({ finishReason: "length" });
    expect((await streamText()).finishReason).toBe("length");
  });
});

describe("HTTP errors", () => {
  it("429 → RateLimitError with Retry-After visible", async () => {
    fake.queue([{ status: 429, retryAfter: 7 }]);
    const r = await outcome(() => streamText());
    expect("threw" in r && r.threw).toBeInstanceOf(OpenAI.RateLimitError);
    const err = "threw" in r ? (r.threw as InstanceType<typeof OpenAI.RateLimitError>) : undefined;
    expect(err?.status).toBe(429);
    expect(err?.headers?.get("retry-after")).toBe("7");
    expect(err?.code).toBe("rate_limit_exceeded");
  });

  it("500 (llama.cpp body) → InternalServerError", async () => {
    fake.queue([{ status: 500, errorMessage: "boom" }]);
    const r = await outcome(() => client().chat.completions.create({ model: "test-model", messages }));
    expect("threw" in r && r.threw).toBeInstanceOf(OpenAI.InternalServerError);
    const err = "threw" in r ? (r.threw as InstanceType<typeof OpenAI.InternalServerError>) : undefined;
    expect(err?.message).toBe("500 boom");
    expect(err?.type).toBe("server_error");
    expect(err?.code).toBe(500);
  });

  it("503 with Retry-After → InternalServerError (status 503)", async () => {
    fake.queue([{ status: 503, retryAfter: 2 }]);
    const r = await outcome(() => streamText());
    expect("threw" in r && r.threw).toBeInstanceOf(OpenAI.InternalServerError);
    const err = "threw" in r ? (r.threw as InstanceType<typeof OpenAI.APIError>) : undefined;
    expect(err?.status).toBe(503);
    expect(err?.headers?.get("retry-after")).toBe("2");
  });

  it("404 model not found, explicitly or with strictModels", async () => {
    fake.queue([{ status: 404 }]);
    const r1 = await outcome(() => streamText());
    expect("threw" in r1 && r1.threw).toBeInstanceOf(OpenAI.NotFoundError);
    fake.behave({ strictModels: true });
    const r2 = await outcome(() => streamText(client(), "missing-model"));
    expect("threw" in r2 && r2.threw).toBeInstanceOf(OpenAI.NotFoundError);
    expect("threw" in r2 && (r2.threw as InstanceType<typeof OpenAI.APIError>).code).toBe("model_not_found");
    expect((await streamText(client(), "other-model")).text).toBe(DEFAULT_REPLY);
  });

  it("client mistakes come back as 500 like llama.cpp", async () => {
    const res = await fetch(`${fake.baseURL}/chat/completions`, { method: "POST", body: "{not json" });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: 500, type: "server_error" } });
  });
});

describe("stream faults", () => {
  it("closeMidStream: iteration throws after some text", async () => {
    fake.behave({ closeMidStream: { afterChunks: 2 } });
    const stream = await client().chat.completions.create({ model: "test-model", messages, stream: true });
    let text = "";
    const r = await outcome(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    });
    expect(text).toBe("Kubernetes is ");
    expect("threw" in r).toBe(true);
    // The SDK does not wrap it: undici's `TypeError: terminated` comes through as-is.
    const err = "threw" in r ? r.threw : undefined;
    expect(err).toBeInstanceOf(TypeError);
    expect(err).not.toBeInstanceOf(OpenAI.APIError);
    expect((err as Error).message).toBe("terminated");
  });

  it("malformedSse: iteration throws a SyntaxError (not an APIError)", async () => {
    fake.behave({ malformedSse: true });
    const r = await outcome(() => streamText());
    const err = "threw" in r ? r.threw : undefined;
    expect(err).toBeInstanceOf(SyntaxError);
    expect(err).not.toBeInstanceOf(OpenAI.APIError);
  });

  it("malformed non-streaming body: the SDK throws a SyntaxError", async () => {
    fake.behave({ malformedSse: true });
    const r = await outcome(() => client().chat.completions.create({ model: "test-model", messages }));
    expect("threw" in r && r.threw).toBeInstanceOf(SyntaxError);
  });

  it("closeMidStream on a non-streamed reply: the SDK throws a bare TypeError too", async () => {
    fake.behave({ closeMidStream: true });
    const r = await outcome(() => client().chat.completions.create({ model: "test-model", messages }));
    const err = "threw" in r ? r.threw : undefined;
    expect(err).toBeInstanceOf(TypeError);
    expect(err).not.toBeInstanceOf(OpenAI.APIError);
  });

  it("errorMidStream llama.cpp `error:` line: the SDK ignores it and ends silently", async () => {
    fake.behave({ errorMidStream: { afterChunks: 1, style: "errorLine" } });
    const r = await outcome(() => streamText());
    expect(r).toEqual({
      resolved: { text: "Kubernetes ", finishReason: null, usage: undefined, chunks: 2 },
    });
  });

  it("errorMidStream llama.cpp `error:` line before any text: empty and unfinished", async () => {
    fake.behave({ errorMidStream: { afterChunks: 0 }, llamaCppShape: true });
    const r = await outcome(() => streamText());
    expect(r).toEqual({ resolved: { text: "", finishReason: null, usage: undefined, chunks: 0 } });
  });

  it("errorMidStream `data: {error}`: the SDK throws APIError without status", async () => {
    fake.behave({ errorMidStream: { style: "dataError" }, errorMessage: "backend died" });
    const r = await outcome(() => streamText());
    const err = "threw" in r ? r.threw : undefined;
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err).not.toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBeUndefined();
    expect((err as Error).message).toBe("backend died");
  });
});

describe("timing, hangs and connections", () => {
  it("close() ends hung requests: the client sees a connection error at once", async () => {
    const own = await startFakeLocalAI({ behaviour: { hang: true } });
    const openai = new OpenAI({ baseURL: own.baseURL, apiKey: "x", maxRetries: 0, timeout: 10_000 });
    const pending = outcome(() => openai.chat.completions.create({ model: "m", messages, stream: true }));
    await own.waitForRequests(1);
    const started = Date.now();
    await own.close();
    const r = await pending;
    expect("threw" in r && r.threw).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(Date.now() - started).toBeLessThan(500);
    await expect.poll(() => own.inFlight).toBe(0);
  });

  it("hang + SDK timeout → APIConnectionTimeoutError", async () => {
    fake.behave({ hang: true });
    const started = Date.now();
    const r = await outcome(() => streamText(client(300)));
    expect("threw" in r && r.threw).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("the SDK timeout does not cover the body: a stall mid-stream needs the caller's own abort", async () => {
    fake.behave({ hang: { afterChunks: 1 } });
    const controller = new AbortController();
    const stream = await client(200).chat.completions.create(
      { model: "test-model", messages, stream: true },
      { signal: controller.signal },
    );
    let text = "";
    const consuming = outcome(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    });
    const winner = await Promise.race([
      consuming.then(() => "ended"),
      new Promise((resolve) => setTimeout(() => resolve("still stalled"), 500)),
    ]);
    expect(winner).toBe("still stalled"); // 500 ms > the 200 ms timeout
    controller.abort();
    // Aborting a stream being iterated ends the loop silently: no error is thrown.
    expect(await consuming).toEqual({ resolved: undefined });
    expect(text).toBe("Kubernetes ");
  });

  it("delayMs and chunkDelayMs slow the reply", async () => {
    fake.behave({ delayMs: 100, chunkDelayMs: 20, reply: "a b c" });
    const started = Date.now();
    await streamText();
    // 100 ms before the first byte, then 20 ms between each of the ~6 events.
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it("tracks inFlight / maxInFlight; release() lets hung requests finish", async () => {
    fake.behave({ hang: true });
    const openai = client();
    const pending = [streamText(openai), streamText(openai), streamText(openai)];
    await fake.waitForRequests(3);
    expect(fake.inFlight).toBe(3);
    expect(fake.maxInFlight).toBe(3);
    fake.release();
    const results = await Promise.all(pending);
    expect(results.map((r) => r.text)).toEqual([DEFAULT_REPLY, DEFAULT_REPLY, DEFAULT_REPLY]);
    await expect.poll(() => fake.inFlight).toBe(0);
    expect(fake.maxInFlight).toBe(3);
  });

  // A fake of their own: a fresh origin means a fresh undici pool holding one socket, so the next
  // request is sure to reuse the poisoned one (a shared pool may pick another idle socket).
  it("closeSocketAfterStream: the next request on the pooled socket fails with a connection error", async () => {
    const own = await startFakeLocalAI({ behaviour: { closeSocketAfterStream: true } });
    try {
      const openai = new OpenAI({ baseURL: own.baseURL, apiKey: "x", maxRetries: 0, timeout: 2000 });
      expect(
        (await collect(await openai.chat.completions.create({ model: "m", messages, stream: true }))).text,
      ).toBe(DEFAULT_REPLY);
      // undici returns the socket to its pool a tick after the body ends; a request sent in the same
      // tick would get a fresh socket. In the bot, user think-time always separates the two.
      await tick();
      const r = await outcome(() => openai.chat.completions.create({ model: "m", messages }));
      const err = "threw" in r ? r.threw : undefined;
      expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
      expect(err).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
      // cause: TypeError "fetch failed" ← undici SocketError "other side closed" (UND_ERR_SOCKET).
      expect((err as Error).cause).toBeInstanceOf(TypeError);
      expect(own.droppedConnections).toBe(1);
      // A non-streamed reply does not poison its socket, and the fresh one works.
      const ok = await openai.chat.completions.create({ model: "m", messages });
      expect(ok.choices[0]?.message.content).toBe(DEFAULT_REPLY);
      await tick();
      await openai.chat.completions.create({ model: "m", messages });
      expect(own.droppedConnections).toBe(1);
    } finally {
      await own.close();
    }
  });

  it("closeSocketAfterStream: one SDK retry recovers", async () => {
    const own = await startFakeLocalAI({ behaviour: { closeSocketAfterStream: true } });
    try {
      const openai = new OpenAI({ baseURL: own.baseURL, apiKey: "x", maxRetries: 1, timeout: 2000 });
      await collect(await openai.chat.completions.create({ model: "m", messages, stream: true }));
      await tick();
      const again = await collect(
        await openai.chat.completions.create({ model: "m", messages, stream: true }),
      );
      expect(again.text).toBe(DEFAULT_REPLY);
      expect(own.droppedConnections).toBe(1);
    } finally {
      await own.close();
    }
  });
});

describe("server traits (llama.cpp)", () => {
  const long: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: "system", content: "Rules. ".repeat(100) },
    { role: "user", content: "Passages. ".repeat(200) },
  ];

  it("/props and /slots tell the context and the slots", async () => {
    fake.configure({ props: true, contextTokens: 512, slots: 2 });
    const root = fake.baseURL.replace(/\/v1$/, "");
    const props = (await (await fetch(`${root}/props`)).json()) as {
      default_generation_settings: { n_ctx: number };
      total_slots: number;
    };
    expect(props).toMatchObject({ default_generation_settings: { n_ctx: 512 }, total_slots: 2 });
    expect(((await (await fetch(`${root}/slots`)).json()) as unknown[]).length).toBe(2);
    fake.reset();
    expect((await fetch(`${root}/props`)).status).toBe(404);
  });

  it("cuts an over-long prompt silently by default, reporting the cut count in usage", async () => {
    fake.configure({ contextTokens: 256 });
    const response = await client().chat.completions.create({ model: "test-model", messages: long });
    expect(response.usage?.prompt_tokens).toBe(128);
    expect(fake.lastRequest).toMatchObject({ truncated: true });
    expect(fake.lastRequest?.messages[0]?.role).toBe("user"); // the system prompt was lost
  });

  it("refuses it with overflow: refuse — a 400, or an error line inside a 200 stream", async () => {
    fake.configure({ contextTokens: 256, overflow: "refuse" });
    const error = await client()
      .chat.completions.create({ model: "test-model", messages: long })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      type: "exceed_context_size_error",
    });
    // The SDK alone ignores the `error:` line: empty and unfinished.
    const stream = await client().chat.completions.create({
      model: "test-model",
      messages: long,
      stream: true,
    });
    expect(await collect(stream)).toMatchObject({ text: "", finishReason: null });
  });

  it("counts more tokens with a smaller vocabulary", async () => {
    await client().chat.completions.create({ model: "test-model", messages: long });
    const usual = fake.lastRequest?.promptTokens ?? 0;
    fake.configure({ charsPerToken: 1.5 });
    await client().chat.completions.create({ model: "test-model", messages: long });
    expect(fake.lastRequest?.promptTokens).toBeGreaterThan(usual * 2.5);
  });

  it("one slot: a second request waits in the server's queue after its headers went out", async () => {
    fake.configure({ slots: 1 });
    fake.behave({ chunkDelayMs: 30 });
    const [a, b] = await Promise.all([
      client().chat.completions.create({ model: "test-model", messages, stream: true }).then(collect),
      client().chat.completions.create({ model: "test-model", messages, stream: true }).then(collect),
    ]);
    expect(a.text).toBe(DEFAULT_REPLY);
    expect(b.text).toBe(DEFAULT_REPLY);
    expect(fake.maxInFlight).toBe(2);
    expect(fake.maxQueued).toBe(1);
    expect(fake.requests.some((r) => r.queuedMs > 0)).toBe(true);
  });

  it("streams prompt progress when asked with return_progress", async () => {
    fake.configure({ props: true });
    const stream = await client().chat.completions.create({
      model: "test-model",
      messages,
      stream: true,
      ...{ return_progress: true },
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]).toMatchObject({ choices: [], prompt_progress: { processed: expect.any(Number) } });
  });

  it("an API key: 401 everywhere but /v1/models and /health, and the socket after a 401 answers a bare 400", async () => {
    const own = await startFakeLocalAI({ server: { apiKey: "right" } });
    try {
      const wrong = new OpenAI({ baseURL: own.baseURL, apiKey: "wrong", maxRetries: 0, logLevel: "off" });
      const first = await wrong.chat.completions
        .create({ model: "test-model", messages })
        .catch((e: unknown) => e);
      expect(first).toBeInstanceOf(OpenAI.AuthenticationError);
      // The client may open a second socket before the first is back in its pool: the poisoned one
      // is met within the next two requests.
      let second: unknown = first;
      for (let i = 0; i < 3 && second instanceof OpenAI.AuthenticationError; i++)
        second = await wrong.chat.completions
          .create({ model: "test-model", messages })
          .catch((e: unknown) => e);
      expect(second).toBeInstanceOf(OpenAI.BadRequestError);
      expect((second as InstanceType<typeof OpenAI.APIError>).error).toBeUndefined();
      expect(own.poisonedAfterAuth).toBe(1);
      // On a connection of its own: /v1/models needs no key, /props does.
      const root = own.baseURL.replace(/\/v1$/, "");
      own.configure({ props: true });
      expect((await getJson(`${own.baseURL}/models`, {})).status).toBe(200);
      expect((await getJson(`${root}/props`, {})).status).toBe(401);
      expect((await getJson(`${root}/props`, { authorization: "Bearer right" })).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it("vLLM-style max_model_len in the model list", async () => {
    fake.setModels([{ id: "test-model", max_model_len: 2048 }]);
    const page = await client().models.list();
    expect(page.data[0]).toMatchObject({ id: "test-model", max_model_len: 2048 });
  });
});
