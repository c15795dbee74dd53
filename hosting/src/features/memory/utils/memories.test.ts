import { describe, expect, it } from "vitest";
import type { Memory } from "../models";
import { toMemory } from "../models";
import { countText, isExpired, memoryChains, messageLink, relevance } from "./memories";

const NOW = new Date("2026-12-02T10:00:00Z");

function memory(id: string, fields: Partial<Memory> = {}): Memory {
  return {
    id,
    text: id,
    kind: "fact",
    source: "explicit",
    provenance: null,
    active: true,
    supersedes: null,
    supersededBy: null,
    expiresAt: null,
    createdAt: null,
    updatedAt: null,
    version: 1,
    ...fields,
  };
}

describe("memoryChains", () => {
  it("lists active memories with their earlier versions, newest first", () => {
    const list = [
      memory("c", { supersedes: "b" }),
      memory("x"),
      memory("b", { active: false, supersedes: "a", supersededBy: "c" }),
      memory("a", { active: false, supersededBy: "b" }),
    ];
    const chains = memoryChains(list, NOW);
    expect(chains.map((chain) => chain.current.id)).toEqual(["c", "x"]);
    expect(chains[0]?.earlier.map((item) => item.id)).toEqual(["b", "a"]);
    expect(chains[1]?.earlier).toEqual([]);
  });

  it("stops at a missing version and at a cycle", () => {
    const chains = memoryChains(
      [
        memory("b", { supersedes: "gone" }),
        memory("y", { supersedes: "z" }),
        memory("z", { active: false, supersedes: "y" }),
      ],
      NOW,
    );
    expect(chains.map((chain) => chain.earlier.map((item) => item.id))).toEqual([[], ["z"]]);
  });

  it("marks an expired memory", () => {
    const chains = memoryChains(
      [
        memory("old", { expiresAt: new Date("2026-12-01T00:00:00Z") }),
        memory("later", { expiresAt: new Date("2027-01-01T00:00:00Z") }),
      ],
      NOW,
    );
    expect(chains.map((chain) => chain.expired)).toEqual([true, false]);
    expect(isExpired(memory("never"), NOW)).toBe(false);
  });
});

describe("relevance", () => {
  it("maps a cosine distance to a percentage", () => {
    expect(relevance(0)).toBe(100);
    expect(relevance(0.25)).toBe(75);
    expect(relevance(1.4)).toBe(0);
    expect(relevance(-0.01)).toBe(100);
    expect(relevance(Number.NaN)).toBe(0);
  });
});

describe("messageLink", () => {
  it("links to the message in its conversation", () => {
    expect(messageLink({ conversationId: "c1", messageId: "m 2", quote: "q" })).toBe(
      "/chat/c1#m%202",
    );
  });
});

describe("toMemory", () => {
  it("reads the stored fields and defaults the rest", () => {
    const read = toMemory({
      id: "k1",
      pending: false,
      data: {
        text: "Lives in Lyon",
        kind: "person?",
        source: "chat",
        provenance: { conversationId: "c", messageId: "m", quote: "I live in Lyon" },
        active: false,
        supersededBy: "k2",
        version: 3,
      },
    });
    expect(read).toMatchObject({
      id: "k1",
      text: "Lives in Lyon",
      kind: "fact",
      source: "chat",
      provenance: { conversationId: "c", messageId: "m", quote: "I live in Lyon" },
      active: false,
      supersedes: null,
      supersededBy: "k2",
      version: 3,
    });
    expect(toMemory({ id: "k", pending: false, data: { provenance: { quote: "x" } } })).toMatchObject(
      { provenance: null, active: true, source: "explicit", version: null },
    );
  });
});

describe("countText", () => {
  it("counts", () => {
    expect(countText(1)).toBe("1 memory");
    expect(countText(3)).toBe("3 memories");
  });
});
