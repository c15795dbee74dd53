/**
 * Syntax highlighting with highlight.js's core and only the grammars a generation's files
 * need, each loaded on first use (its own small chunk).
 */
import hljs from "highlight.js/lib/core";
import type { LanguageFn } from "highlight.js";
import { escapeHtml, grammarFor, splitHighlightedLines, type Grammar } from "./studio";

const LOADERS: Record<Grammar, () => Promise<{ default: LanguageFn }>> = {
  python: () => import("highlight.js/lib/languages/python"),
  typescript: () => import("highlight.js/lib/languages/typescript"),
  javascript: () => import("highlight.js/lib/languages/javascript"),
  go: () => import("highlight.js/lib/languages/go"),
  rust: () => import("highlight.js/lib/languages/rust"),
  java: () => import("highlight.js/lib/languages/java"),
  yaml: () => import("highlight.js/lib/languages/yaml"),
  json: () => import("highlight.js/lib/languages/json"),
  markdown: () => import("highlight.js/lib/languages/markdown"),
  css: () => import("highlight.js/lib/languages/css"),
  xml: () => import("highlight.js/lib/languages/xml"),
  ini: () => import("highlight.js/lib/languages/ini"),
  bash: () => import("highlight.js/lib/languages/bash"),
};

const loading = new Map<Grammar, Promise<void>>();

/** Register `grammar` once; later calls share the load. */
export function loadGrammar(grammar: Grammar): Promise<void> {
  let promise = loading.get(grammar);
  if (!promise) {
    promise = LOADERS[grammar]().then((module) => hljs.registerLanguage(grammar, module.default));
    loading.set(grammar, promise);
  }
  return promise;
}

/**
 * The file's lines as HTML: highlighted when its grammar is known (loaded first), else
 * escaped plain text. highlight.js escapes the code itself: only its `<span>`s are markup.
 */
export async function highlightLines(
  content: string,
  language: string,
  path: string,
): Promise<string[]> {
  const grammar = grammarFor(language, path);
  if (!grammar) return content.split("\n").map(escapeHtml);
  try {
    await loadGrammar(grammar);
    const { value } = hljs.highlight(content, { language: grammar, ignoreIllegals: true });
    return splitHighlightedLines(value);
  } catch {
    return content.split("\n").map(escapeHtml);
  }
}
