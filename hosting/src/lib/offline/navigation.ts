/**
 * Which navigations the service worker answers with the app shell (index.html). Every
 * Hosting rewrite to a function (`/api/health`, `/hooks/**`, `/ical/**`, …) is left to
 * the network, and so are Hosting's reserved `/__/` URLs: the list is derived from
 * firebase.json by vite.config.ts at build time, so a new function rewrite is never
 * shadowed by the shell. Pure: no DOM, so unit tests run it in Node.
 */

export interface HostingRewrite {
  source?: string;
  destination?: string;
  function?: unknown;
  run?: unknown;
}

/** A Hosting glob (`**` any path, `*` one segment) as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let pattern = "";
  for (let at = 0; at < glob.length; at += 1) {
    const char = glob.charAt(at);
    if (char === "*" && glob.charAt(at + 1) === "*") {
      pattern += ".*";
      at += 1;
    } else if (char === "*") {
      pattern += "[^/]*";
    } else {
      pattern += char.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${pattern}(?:[?#].*)?$`);
}

/** Hosting's reserved URLs (`/__/firebase/init.json`, `/__/auth/handler`, …). */
export const RESERVED = /^\/__\//;

/** The navigations the shell must not answer: every rewrite served by a function or Run. */
export function navigationDenylist(rewrites: readonly HostingRewrite[]): RegExp[] {
  const served = rewrites.flatMap((rewrite) =>
    rewrite.source !== undefined && (rewrite.function !== undefined || rewrite.run !== undefined)
      ? [globToRegExp(rewrite.source)]
      : [],
  );
  return [RESERVED, ...served];
}
