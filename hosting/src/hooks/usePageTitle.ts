import { useEffect } from "react";

/** Name the browser tab after the page, e.g. "Profile · Aura". */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Aura`;
  }, [title]);
}
