import { describe, expect, it } from "vitest";

import { renderMarkdown } from "./plainMarkdown";

describe("renderMarkdown (the schema editor's plain-text stand-in)", () => {
  it("escapes what innerHTML would otherwise parse", () => {
    expect(renderMarkdown('<img src=x onerror="alert(1)"> & \'q\'')).toBe(
      "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;q&#39;",
    );
  });

  it("leaves plain text as it is, inline or not", () => {
    expect(renderMarkdown("Expected `string`", false)).toBe("Expected `string`");
  });
});
