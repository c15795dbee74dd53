import { unzipSync, strFromU8 } from "fflate";
import { describe, expect, it } from "vitest";
import { toGeneratedFile, toGeneration, toHistoryItem, type GateError } from "../models";
import {
  archiveName,
  errorLocation,
  escapeHtml,
  fileName,
  grammarFor,
  groupErrors,
  progressLabel,
  repairNote,
  requestTarget,
  safeEntryPath,
  splitHighlightedLines,
  targetLabel,
  zipEntries,
} from "./studio";
import { buildZip } from "./zip";

function gateError(fields: Partial<GateError>): GateError {
  return { file: null, line: null, column: null, code: "syntax", message: "bad", ...fields };
}

describe("progressLabel", () => {
  it("names the stage and the percent while at work", () => {
    expect(progressLabel("queued", 0)).toBe("Queued… 0%");
    expect(progressLabel("generating", 42.4)).toBe("Generating… 42%");
    expect(progressLabel("repairing", 80)).toBe("Repairing… 80%");
  });
  it("clamps the percent and reads a missing one as 0", () => {
    expect(progressLabel("checking", 140)).toBe("Checking… 100%");
    expect(progressLabel("planning", -5)).toBe("Planning… 0%");
    expect(progressLabel("planning", Number.NaN)).toBe("Planning… 0%");
  });
  it("names a final state without a percent", () => {
    expect(progressLabel("done", 100)).toBe("Done");
    expect(progressLabel("failed", 70)).toBe("Failed");
    expect(progressLabel("cancelled", 30)).toBe("Cancelled");
  });
});

describe("repairNote", () => {
  it("says what a repair fixed", () => {
    expect(
      repairNote({ attempts: 1, fixed: true, errorsBefore: 2 }, { ok: true, errors: [], usage: [] }),
    ).toBe("1 repair fixed 2 problems");
    expect(repairNote({ attempts: 2, fixed: true, errorsBefore: 1 }, null)).toBe(
      "2 repairs fixed 1 problem",
    );
  });
  it("says what remained when it did not", () => {
    expect(
      repairNote(
        { attempts: 1, fixed: false, errorsBefore: 3 },
        { ok: false, errors: [gateError({})], usage: [] },
      ),
    ).toBe("1 repair tried: 1 problem remained");
  });
  it("is null with no repair", () => {
    expect(repairNote(null, null)).toBeNull();
    expect(repairNote({ attempts: 0, fixed: false, errorsBefore: 0 }, null)).toBeNull();
  });
});

describe("errorLocation", () => {
  it("is file:line:column with what is known", () => {
    expect(errorLocation(gateError({ file: "src/a.py", line: 3, column: 5 }))).toBe("src/a.py:3:5");
    expect(errorLocation(gateError({ file: "src/a.py", line: 3 }))).toBe("src/a.py:3");
    expect(errorLocation(gateError({ file: "src/a.py" }))).toBe("src/a.py");
    expect(errorLocation(gateError({}))).toBe("");
  });
});

describe("groupErrors", () => {
  it("groups by file: general first, then in tab order, then others; by line within", () => {
    const errors = [
      gateError({ file: "b.py", line: 9, column: 1, message: "b9" }),
      gateError({ file: "extra.py", line: 1, message: "extra" }),
      gateError({ file: "a.py", line: 4, column: 2, message: "a4c2" }),
      gateError({ message: "general" }),
      gateError({ file: "b.py", line: 2, column: 7, message: "b2" }),
      gateError({ file: "a.py", line: 4, column: 1, message: "a4c1" }),
    ];
    const groups = groupErrors(errors, ["a.py", "b.py"]);
    expect(groups.map((group) => group.file)).toEqual([null, "a.py", "b.py", "extra.py"]);
    expect(groups.map((group) => group.errors.map((error) => error.message))).toEqual([
      ["general"],
      ["a4c1", "a4c2"],
      ["b2", "b9"],
      ["extra"],
    ]);
  });
  it("is empty with no errors", () => {
    expect(groupErrors([], ["a.py"])).toEqual([]);
  });
});

describe("zipEntries", () => {
  it("puts each file under the root folder as UTF-8", () => {
    const entries = zipEntries(
      [
        { path: "src/app.py", content: "print('héllo')\n" },
        { path: "README.md", content: "# Hi" },
      ],
      "aura-hello",
    );
    expect(Object.keys(entries)).toEqual(["aura-hello/src/app.py", "aura-hello/README.md"]);
    expect(new TextDecoder().decode(entries["aura-hello/src/app.py"])).toBe("print('héllo')\n");
  });
  it("keeps paths inside the folder, and never loses a file to a clash", () => {
    const entries = zipEntries(
      [
        { path: "/etc/../a.py", content: "1" },
        { path: "etc/a.py", content: "2" },
        { path: "etc/a.py", content: "3" },
        { path: "..", content: "4" },
        { path: "Makefile", content: "5" },
        { path: "./Makefile", content: "6" },
      ],
      "root",
    );
    expect(Object.keys(entries)).toEqual([
      "root/etc/a.py",
      "root/etc/a-2.py",
      "root/etc/a-3.py",
      "root/file-4.txt",
      "root/Makefile",
      "root/Makefile-2",
    ]);
  });
  it("builds a zip that unzips to the same files", () => {
    const zip = buildZip(
      [
        { path: "cli/main.py", content: "import argparse\n" },
        { path: "README.md", content: "Usage" },
      ],
      "aura-tool",
    );
    const unzipped = unzipSync(zip);
    expect(Object.keys(unzipped).sort()).toEqual(["aura-tool/README.md", "aura-tool/cli/main.py"]);
    expect(strFromU8(unzipped["aura-tool/cli/main.py"] ?? new Uint8Array())).toBe(
      "import argparse\n",
    );
  });
});

describe("names", () => {
  it("names a downloaded file after its last segment", () => {
    expect(fileName("src/pkg/app.py")).toBe("app.py");
    expect(fileName("README.md")).toBe("README.md");
    expect(fileName("")).toBe("file.txt");
  });
  it("names the archive after the prompt's first words, directives left out", () => {
    expect(archiveName("A Python function: parse ISO dates! [[standin studio=syntax]]", "X1")).toBe(
      "aura-a-python-function-parse-iso",
    );
    expect(archiveName("!!!", "AbCdEf123456")).toBe("aura-abcdef12");
  });
  it("cleans entry paths", () => {
    expect(safeEntryPath("a\\b/../c")).toBe("a/b/c");
  });
});

describe("targets", () => {
  it("sends the language and framework each kind needs", () => {
    expect(requestTarget("code", "rust", "click")).toEqual({ language: "rust", framework: null });
    expect(requestTarget("cli", "rust", "click")).toEqual({ language: "python", framework: "click" });
    expect(requestTarget("api", "rust", "click")).toEqual({ language: "openapi", framework: null });
    expect(requestTarget("ui", "rust", "click")).toEqual({ language: "tsx", framework: "react" });
  });
  it("labels a generation's target", () => {
    expect(targetLabel("code", "go", null)).toBe("Code · Go");
    expect(targetLabel("cli", "python", "click")).toBe("CLI tool · click");
    expect(targetLabel("api", "openapi", null)).toBe("API spec · OpenAPI 3.1 (YAML)");
  });
});

describe("highlighting", () => {
  it("finds the grammar by language, then by extension", () => {
    expect(grammarFor("python")).toBe("python");
    expect(grammarFor("tsx")).toBe("typescript");
    expect(grammarFor("openapi")).toBe("yaml");
    expect(grammarFor("unknown", "x/y.rs")).toBe("rust");
    expect(grammarFor("unknown", "Makefile")).toBeNull();
  });
  it("splits highlighted HTML into lines that each close their spans", () => {
    const html = 'a <span class="c">"one\ntwo"</span> b\n<span class="k">x</span>';
    expect(splitHighlightedLines(html)).toEqual([
      'a <span class="c">"one</span>',
      '<span class="c">two"</span> b',
      '<span class="k">x</span>',
    ]);
    expect(splitHighlightedLines('<span class="a"><span class="b">1\n2</span>3</span>')).toEqual([
      '<span class="a"><span class="b">1</span></span>',
      '<span class="a"><span class="b">2</span>3</span>',
    ]);
    expect(splitHighlightedLines("")).toEqual([""]);
  });
  it("escapes plain text", () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#x27;");
  });
});

describe("converters", () => {
  it("reads a generation, defaulting what is missing or wrong", () => {
    const generation = toGeneration({
      id: "g1",
      pending: false,
      data: {
        type: "cli",
        prompt: "a tool",
        language: "python",
        framework: "click",
        status: "generating",
        progress: { stage: "generating", percent: 140 },
        draft: "<<<EXPLANATION>>>",
        files: [{ id: "f1", path: "main.py", language: "python", size: 12 }, { bad: 1 }],
        validation: {
          ok: false,
          errors: [{ file: "main.py", line: 0, column: 2, code: "syntax", message: "m" }, 7],
          usage: ["usage: tool [-h]", 3],
        },
        repair: { attempts: 1, fixed: false, errorsBefore: 2 },
      },
    });
    expect(generation.type).toBe("cli");
    expect(generation.progress).toEqual({ stage: "generating", percent: 100 });
    expect(generation.files).toEqual([{ id: "f1", path: "main.py", language: "python", size: 12 }]);
    expect(generation.validation).toEqual({
      ok: false,
      errors: [{ file: "main.py", line: null, column: 2, code: "syntax", message: "m" }],
      usage: ["usage: tool [-h]"],
    });
    expect(generation.repair).toEqual({ attempts: 1, fixed: false, errorsBefore: 2 });
    expect(toGeneration({ id: "g2", pending: false, data: { status: "nonsense" } })).toMatchObject({
      type: "code",
      status: "queued",
      progress: { stage: "queued", percent: 0 },
      validation: null,
      repair: null,
    });
  });
  it("reads a file, and drops one with no path", () => {
    expect(
      toGeneratedFile({ id: "f", pending: false, data: { path: "a.go", content: "package a" } }),
    ).toMatchObject({ path: "a.go", language: "plaintext", size: 9 });
    expect(toGeneratedFile({ id: "f", pending: false, data: { content: "x" } })).toBeNull();
  });
  it("reads a history item from list_generations", () => {
    expect(
      toHistoryItem({
        id: "g3",
        type: "api",
        prompt: "pets",
        status: "done",
        files: [{ path: "openapi.yaml" }],
        validation: { ok: true, errors: [] },
        createdAt: "2026-12-02T10:00:00Z",
      }),
    ).toEqual([
      {
        id: "g3",
        type: "api",
        prompt: "pets",
        language: null,
        framework: null,
        status: "done",
        fileCount: 1,
        ok: true,
        createdAt: new Date("2026-12-02T10:00:00Z"),
      },
    ]);
    expect(toHistoryItem({ type: "api" })).toEqual([]);
  });
});
