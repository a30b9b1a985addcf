import { describe, expect, it } from "vitest";
import { errorFields, scrubTokens } from "../../src/adapters/discord/log-fields.js";

describe("errorFields", () => {
  it("keeps what helps debugging and drops interaction and webhook tokens", () => {
    const error = Object.assign(new Error("Unknown Webhook"), {
      code: 10015,
      status: 404,
      method: "PATCH",
      url: "https://discord.com/api/v10/webhooks/118/aW50ZXJhY3Rpb246c2VjcmV0/messages/@original",
      requestBody: { json: { content: "hi" } },
    });
    const fields = errorFields(error);
    expect(fields).toMatchObject({
      type: "Error",
      message: "Unknown Webhook",
      code: 10015,
      status: 404,
      method: "PATCH",
      path: "/api/v10/webhooks/118/[token]/messages/@original",
    });
    expect(JSON.stringify(fields)).not.toContain("aW50ZXJhY3Rpb246c2VjcmV0");
    expect(fields).not.toHaveProperty("requestBody");
  });

  it("scrubs tokens from interaction callback paths and plain values", () => {
    expect(scrubTokens("POST /interactions/1/abc.def-ghi/callback")).toBe(
      "POST /interactions/1/[token]/callback",
    );
    expect(errorFields("boom /webhooks/2/tok")).toEqual({ message: "boom /webhooks/2/[token]" });
  });
});
