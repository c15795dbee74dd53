import { useEffect, useState } from "react";
import { useAuth } from "../lib/auth";

/**
 * Whether the signed-in user's ID token carries the admin role claim (`role: "admin"`,
 * mirrored from the profile by the server). It only decides what the app shows: every
 * admin callable checks the claim itself and refuses everyone else.
 */
export function useIsAdmin(): boolean {
  const { user, profileReady } = useAuth();
  const [admin, setAdmin] = useState<{ uid: string; admin: boolean } | null>(null);

  useEffect(() => {
    if (!user || !profileReady) return;
    let live = true;
    user.getIdTokenResult().then(
      (result) => live && setAdmin({ uid: user.uid, admin: result.claims["role"] === "admin" }),
      () => live && setAdmin({ uid: user.uid, admin: false }),
    );
    return () => {
      live = false;
    };
  }, [user, profileReady]);

  return admin !== null && admin.uid === user?.uid && admin.admin;
}
