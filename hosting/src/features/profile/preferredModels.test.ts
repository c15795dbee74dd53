import { describe, expect, it } from "vitest";
import { modelLabel } from "./preferredModels";

describe("modelLabel", () => {
  it("names a known model and passes on an unknown one", () => {
    expect(modelLabel("gpt-4o")).toBe("GPT-4o");
    expect(modelLabel("mystery")).toBe("mystery");
  });
});
