import { describe, expect, it } from "vitest";
import { kindOfServerError } from "../../src/core/answer/chat-model.js";
import { rewriteErrorLine, sseErrorEvents } from "../../src/llm/openai-chat-model.js";
import { serverRoot } from "../../src/llm/server-probe.js";

describe("the server's own error objects", () => {
  it.each([
    [
      {
        code: 400,
        message: "the request exceeds the available context size",
        type: "exceed_context_size_error",
      },
      "context",
    ],
    [{ code: 500, message: "prompt is too long: maximum context length is 512 tokens" }, "context"],
    [{ code: 401, message: "Invalid API Key", type: "authentication_error" }, "auth"],
    [{ code: 503, message: "Loading model", type: "unavailable_error" }, "unavailable"],
    [{ code: 429, message: "slots busy" }, "rate-limited"],
    [{ code: 404, message: "model not found" }, "not-found"],
    [{ code: 422, message: "bad field" }, "bad-request"],
    [{ code: 500, message: "backend crashed", type: "server_error" }, "http"],
    [{ message: "something" }, "http"],
  ])("%j is %s", (error, kind) => {
    expect(kindOfServerError(error).kind).toBe(kind);
  });
});

describe("llama.cpp's `error:` stream lines", () => {
  it("become `data: {error}` events the SDK raises", () => {
    expect(
      rewriteErrorLine('error: {"code":400,"message":"too long","type":"exceed_context_size_error"}'),
    ).toBe('data: {"error":{"code":400,"message":"too long","type":"exceed_context_size_error"}}');
    expect(rewriteErrorLine("error: not json")).toBe('data: {"error":{"message":"not json"}}');
    expect(rewriteErrorLine('data: {"choices":[]}')).toBe('data: {"choices":[]}');
  });

  it("are rewritten even when a line arrives split across network chunks", async () => {
    const pieces = [
      'data: {"choices":[]}\n\nerr',
      'or: {"code":400,"mess',
      'age":"too long"}\n\n',
      "data: [DONE]\n\n",
    ];
    const upstream: typeof fetch = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (const piece of pieces) controller.enqueue(new TextEncoder().encode(piece));
            controller.close();
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    const response = await sseErrorEvents(upstream)("http://fake/v1/chat/completions");
    expect(await response.text()).toBe(
      'data: {"choices":[]}\n\ndata: {"error":{"code":400,"message":"too long"}}\n\ndata: [DONE]\n\n',
    );
  });

  it("leave other responses untouched", async () => {
    const upstream: typeof fetch = async () =>
      new Response('error: {"x":1}', { headers: { "content-type": "application/json" } });
    expect(await (await sseErrorEvents(upstream)("http://fake/")).text()).toBe('error: {"x":1}');
  });
});

describe("serverRoot", () => {
  it("is where llama.cpp serves /props: beside /v1", () => {
    expect(serverRoot("http://llama:8080/v1")).toBe("http://llama:8080");
    expect(serverRoot("http://llama:8080/v1/")).toBe("http://llama:8080");
    expect(serverRoot("http://proxy/llm")).toBe("http://proxy/llm");
  });
});
