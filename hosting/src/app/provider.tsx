import type { ReactNode } from "react";
import { AuthProvider } from "../lib/auth";

/** What every page may use: who is signed in (and whether their profile is ready). */
export function AppProvider({ children }: { children: ReactNode }) {
  return <AuthProvider>{children}</AuthProvider>;
}
