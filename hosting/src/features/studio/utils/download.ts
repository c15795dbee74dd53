/** Saving bytes the page made as a file: an object URL clicked as a download link. */
export function saveFile(data: BlobPart, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by the next tasks; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
