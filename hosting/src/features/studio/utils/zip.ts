/**
 * All of a generation's files as one zip, built in the browser with fflate (imported on
 * demand by the download button, so the library loads only when a zip is asked for).
 */
import { zipSync } from "fflate";
import type { GeneratedFile } from "../models";
import { zipEntries } from "./studio";

/** The zip's bytes: each file under `root/`, deflated. */
export function buildZip(
  files: readonly Pick<GeneratedFile, "path" | "content">[],
  root: string,
): Uint8Array<ArrayBuffer> {
  const bytes = zipSync(zipEntries(files, root), { level: 6 });
  // fflate's result is typed over any buffer; a Blob wants an ArrayBuffer-backed view.
  return new Uint8Array(bytes);
}
