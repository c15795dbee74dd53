import { useState } from "react";
import { NavLink, Outlet } from "react-router";
import { OfflineBanner } from "../components/OfflineBanner";
import { ErrorMessage, Loading } from "../components/Status";
import { UpdatePrompt } from "../components/UpdatePrompt";
import { UnreadBadge } from "../features/inbox/components/UnreadBadge";
import { useIsAdmin } from "../hooks/useIsAdmin";
import { useAuth } from "../lib/auth";
import { clearLocalData, usingEmulators } from "../lib/firebase/app";
import { forgetProfile } from "../lib/offline/session";

const NAV = [
  { to: "/chat", label: "Chat" },
  { to: "/studio", label: "Studio" },
  { to: "/automations", label: "Automations" },
  { to: "/tasks", label: "Tasks" },
  { to: "/calendar", label: "Calendar" },
  { to: "/inbox", label: "Inbox" },
  { to: "/memory", label: "Memory" },
  { to: "/decisions", label: "Decisions" },
  { to: "/profile", label: "Profile" },
  { to: "/plan", label: "Plan" },
  { to: "/privacy", label: "Privacy" },
  { to: "/status", label: "Status" },
] as const;

// Shown only when the ID token carries the admin role (the server refuses others anyway).
const ADMIN_NAV = [
  { to: "/admin/flags", label: "Flags" },
  { to: "/admin/audit", label: "Audit" },
  { to: "/admin/analytics", label: "Analytics" },
] as const;

/** The page frame: header (with the app nav when signed in) and the current route. */
export function Layout() {
  const { status, user, error, signOut } = useAuth();
  const isAdmin = useIsAdmin();

  // From "Sign out" to the fresh /signin page load, nothing below the header renders: the
  // routes would otherwise send the signed-out page to /signin in place first, and the
  // reload would then replace it under the user's hands.
  const [signingOut, setSigningOut] = useState(false);

  async function handleSignOut() {
    setSigningOut(true);
    if (user) forgetProfile(user.uid);
    await signOut();
    // The account's data cached on this device goes too (docs/architecture.md "Offline
    // and install"); that stops Firestore in this page, so /signin is a fresh page load.
    await clearLocalData().catch(() => undefined);
    window.location.replace("/signin");
  }

  return (
    <>
      <header className="app-header">
        <div className="brand">
          <NavLink to="/">Aura</NavLink>
          {usingEmulators && <span className="tag" title="Using the Local Emulator Suite">emulators</span>}
        </div>
        {user && (
          <>
            <nav aria-label="Main">
              <ul>
                {NAV.map((item) => (
                  <li key={item.to}>
                    <NavLink to={item.to}>
                      {item.label}
                      {item.to === "/inbox" && <UnreadBadge />}
                    </NavLink>
                  </li>
                ))}
                {isAdmin &&
                  ADMIN_NAV.map((item) => (
                    <li key={item.to}>
                      <NavLink to={item.to}>{item.label}</NavLink>
                    </li>
                  ))}
              </ul>
            </nav>
            <div className="account">
              <span className="account-email">{user.email}</span>
              <button type="button" className="secondary" onClick={() => void handleSignOut()}>
                Sign out
              </button>
            </div>
          </>
        )}
      </header>
      <OfflineBanner />
      <UpdatePrompt />
      <main>
        {signingOut ? (
          <Loading>Signing out…</Loading>
        ) : (
          <>
            {status === "loading" && <Loading />}
            {status === "error" && <ErrorMessage>Aura could not start: {error}</ErrorMessage>}
            {(status === "signedIn" || status === "signedOut") && <Outlet />}
          </>
        )}
      </main>
    </>
  );
}
