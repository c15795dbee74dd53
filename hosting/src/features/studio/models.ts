/**
 * The studio's models: a generation (`users/{uid}/generations/{gid}`) as the page reads
 * it, its files (`…/files/{fileId}`), and the requests and results of `generate`,
 * `cancel_generation`, `delete_generation` and `list_generations` (the server's models,
 * `src/wire/studio`).
 */
import {
  dateOrNull,
  isRecord,
  numberOr,
  stringOr,
  stringOrNull,
} from "../../lib/firebase/fields";
import type { StoredDoc } from "../../lib/firebase/watch";
import type { Covers } from "../../types/check";
import type { GenerationSummary } from "../../wire/studio";
import type { StudioCodeLanguage } from "../../wire/vocabularies";

export type GenerationKind = GenerationSummary["type"];
export type GenerationStatus = GenerationSummary["status"];

/** The most characters a prompt may have (the server's cap). */
export const MAX_PROMPT_CHARS = 8000;
/** History items per page ("Load more" asks for the next). */
export const HISTORY_PAGE_SIZE = 10;

export const KINDS = [
  { value: "code", label: "Code" },
  { value: "api", label: "API spec" },
  { value: "ui", label: "UI component" },
  { value: "cli", label: "CLI tool" },
] as const satisfies readonly { value: GenerationKind; label: string }[];
true satisfies Covers<GenerationKind, (typeof KINDS)[number]["value"]>;

export const CODE_LANGUAGES = [
  { value: "python", label: "Python" },
  { value: "typescript", label: "TypeScript" },
  { value: "javascript", label: "JavaScript" },
  { value: "go", label: "Go" },
  { value: "rust", label: "Rust" },
  { value: "java", label: "Java" },
] as const satisfies readonly { value: StudioCodeLanguage; label: string }[];
export type CodeLanguage = (typeof CODE_LANGUAGES)[number]["value"];

export const CLI_FRAMEWORKS = [
  { value: "argparse", label: "argparse" },
  { value: "click", label: "click" },
] as const;
export type CliFramework = (typeof CLI_FRAMEWORKS)[number]["value"];

/** What a kind is written in when the user does not choose: (language, framework). */
export const FIXED_TARGET: Record<
  Exclude<GenerationKind, "code">,
  { language: string; framework: string | null; label: string }
> = {
  api: { language: "openapi", framework: null, label: "OpenAPI 3.1 (YAML)" },
  ui: { language: "tsx", framework: "react", label: "React component (TSX)" },
  cli: { language: "python", framework: "argparse", label: "Python" },
};

export const STATUSES = [
  "queued",
  "planning",
  "generating",
  "checking",
  "repairing",
  "done",
  "failed",
  "cancelled",
] as const satisfies readonly GenerationStatus[];
true satisfies Covers<GenerationStatus, (typeof STATUSES)[number]>;

/** The statuses of a generation still at work (cancel applies). */
export const ACTIVE_STATUSES: readonly GenerationStatus[] = [
  "queued",
  "planning",
  "generating",
  "checking",
  "repairing",
];

export function isActive(status: GenerationStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

/** One problem the gate found, located where it can be. */
export interface GateError {
  file: string | null;
  /** 1-based. */
  line: number | null;
  /** 1-based. */
  column: number | null;
  code: string;
  message: string;
}

export interface Validation {
  ok: boolean;
  errors: GateError[];
  /** A CLI tool's usage lines, extracted statically. */
  usage: string[];
}

export interface Repair {
  attempts: number;
  fixed: boolean;
  /** How many problems the first answer had. */
  errorsBefore: number;
}

/** An entry of the generation's file index (contents live in the subcollection). */
export interface FileIndexEntry {
  id: string;
  path: string;
  language: string;
  size: number;
}

/** A generated file with its contents. */
export interface GeneratedFile {
  id: string;
  path: string;
  language: string;
  content: string;
  order: number;
  size: number;
}

/** A generation as the page shows it. */
export interface Generation {
  id: string;
  type: GenerationKind;
  prompt: string;
  language: string | null;
  framework: string | null;
  parentId: string | null;
  status: GenerationStatus;
  progress: { stage: GenerationStatus; percent: number };
  draft: string;
  explanation: string;
  files: FileIndexEntry[];
  validation: Validation | null;
  repair: Repair | null;
  error: { code: string; message: string } | null;
  createdAt: Date | null;
  finishedAt: Date | null;
}

export function toKind(value: unknown): GenerationKind {
  return KINDS.find((kind) => kind.value === value)?.value ?? "code";
}

export function toStatus(value: unknown): GenerationStatus {
  return STATUSES.find((status) => status === value) ?? "queued";
}

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === "string")
    : [];
}

function positiveOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : null;
}

export function toGateError(value: unknown): GateError[] {
  if (!isRecord(value)) return [];
  return [
    {
      file: stringOrNull(value.file),
      line: positiveOrNull(value.line),
      column: positiveOrNull(value.column),
      code: stringOr(value.code, "error"),
      message: stringOr(value.message, ""),
    },
  ];
}

export function toValidation(value: unknown): Validation | null {
  if (!isRecord(value)) return null;
  return {
    ok: value.ok === true,
    errors: Array.isArray(value.errors) ? value.errors.flatMap(toGateError) : [],
    usage: strings(value.usage),
  };
}

export function toRepair(value: unknown): Repair | null {
  if (!isRecord(value)) return null;
  return {
    attempts: numberOr(value.attempts, 0),
    fixed: value.fixed === true,
    errorsBefore: numberOr(value.errorsBefore, 0),
  };
}

function toFileIndex(value: unknown): FileIndexEntry[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (!isRecord(item) || typeof item.path !== "string") return [];
    return [
      {
        id: stringOr(item.id, item.path),
        path: item.path,
        language: stringOr(item.language, "plaintext"),
        size: numberOr(item.size, 0),
      },
    ];
  });
}

function toFailure(value: unknown): { code: string; message: string } | null {
  if (!isRecord(value)) return null;
  return { code: stringOr(value.code, "error"), message: stringOr(value.message, "") };
}

function percentOf(value: unknown): number {
  return Math.min(Math.max(Math.round(numberOr(value, 0)), 0), 100);
}

/** Fields a stored generation and a listed summary share. */
function common(id: string, data: Readonly<Record<string, unknown>>) {
  const status = toStatus(data.status);
  const progress: Record<string, unknown> = isRecord(data.progress) ? data.progress : {};
  return {
    id,
    type: toKind(data.type),
    prompt: stringOr(data.prompt, ""),
    language: stringOrNull(data.language),
    framework: stringOrNull(data.framework),
    parentId: stringOrNull(data.parentId),
    status,
    progress: {
      stage: progress.stage === undefined ? status : toStatus(progress.stage),
      percent: status === "done" ? 100 : percentOf(progress.percent),
    },
    files: toFileIndex(data.files),
    validation: toValidation(data.validation),
    repair: toRepair(data.repair),
    error: toFailure(data.error),
  };
}

/** `users/{uid}/generations/{gid}`. */
export function toGeneration({ id, data }: StoredDoc): Generation {
  return {
    ...common(id, data),
    draft: stringOr(data.draft, ""),
    explanation: stringOr(data.explanation, ""),
    createdAt: dateOrNull(data.createdAt),
    finishedAt: dateOrNull(data.finishedAt),
  };
}

/** `users/{uid}/generations/{gid}/files/{fileId}`. */
export function toGeneratedFile({ id, data }: StoredDoc): GeneratedFile | null {
  if (typeof data.path !== "string") return null;
  const content = stringOr(data.content, "");
  return {
    id,
    path: data.path,
    language: stringOr(data.language, "plaintext"),
    content,
    order: numberOr(data.order, Number.MAX_SAFE_INTEGER),
    size: numberOr(data.size, content.length),
  };
}

/** A history entry as the page lists it. */
export interface HistoryItem {
  id: string;
  type: GenerationKind;
  prompt: string;
  language: string | null;
  framework: string | null;
  status: GenerationStatus;
  fileCount: number;
  ok: boolean | null;
  createdAt: Date | null;
}

function isoDateOrNull(value: unknown): Date | null {
  if (typeof value !== "string") return dateOrNull(value);
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** One item of `list_generations` (read defensively: it is the server's JSON). */
export function toHistoryItem(value: unknown): HistoryItem[] {
  if (!isRecord(value) || typeof value.id !== "string") return [];
  const generation = common(value.id, value);
  return [
    {
      id: generation.id,
      type: generation.type,
      prompt: generation.prompt,
      language: generation.language,
      framework: generation.framework,
      status: generation.status,
      fileCount: generation.files.length,
      ok: generation.validation ? generation.validation.ok : null,
      createdAt: isoDateOrNull(value.createdAt),
    },
  ];
}
