import { Navigate, Outlet, useLocation } from "react-router";
import { useAuth } from "../lib/auth";

/** Renders the nested routes for a signed-in user; sends everyone else to /signin. */
export function RequireAuth() {
  const { user } = useAuth();
  const location = useLocation();
  if (!user) {
    return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;
  }
  return <Outlet />;
}

/** Where to go after signing in: back to the page that asked for it, else /profile. */
export function returnPath(state: unknown): string {
  if (typeof state === "object" && state !== null && "from" in state) {
    const from = state.from;
    if (typeof from === "string" && from.startsWith("/") && !from.startsWith("//") && from !== "/") {
      return from;
    }
  }
  return "/profile";
}
