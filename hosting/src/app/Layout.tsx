import { NavLink, Outlet, useNavigate } from "react-router";
import { ErrorMessage, Loading } from "../components/Status";
import { UnreadBadge } from "../features/inbox/components/UnreadBadge";
import { useIsAdmin } from "../hooks/useIsAdmin";
import { useAuth } from "../lib/auth";
import { usingEmulators } from "../lib/firebase/app";

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
  const navigate = useNavigate();
  const isAdmin = useIsAdmin();

  async function handleSignOut() {
    await signOut();
    await navigate("/signin", { replace: true });
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
      <main>
        {status === "loading" && <Loading />}
        {status === "error" && <ErrorMessage>Aura could not start: {error}</ErrorMessage>}
        {(status === "signedIn" || status === "signedOut") && <Outlet />}
      </main>
    </>
  );
}
