import { useNavigate } from "react-router";
import { SetupError } from "../../../components/SetupError";
import { usePageTitle } from "../../../hooks/usePageTitle";
import { useReadyUid } from "../../../hooks/useReadyUid";
import { useUserZone } from "../../../hooks/useUserZone";
import { DeleteAccountCard } from "../components/DeleteAccountCard";
import { ExportCard } from "../components/ExportCard";
import "../components/privacy.css";

/**
 * /privacy: the user's own data. Export everything (followed live to its download link),
 * or delete the account for good (then the goodbye page, which signs out).
 */
export default function PrivacyPage() {
  usePageTitle("Privacy");
  const uid = useReadyUid();
  const { zone } = useUserZone(uid);
  const navigate = useNavigate();

  // The goodbye page (public) signs out once it shows: signing out here, while this
  // page is still rendered behind sign-in, would send the app to /signin instead.
  function deleted() {
    void navigate("/goodbye", { replace: true, state: { erased: true } });
  }

  return (
    <section className="privacy-page stack">
      <h1>Privacy</h1>
      <SetupError />
      <ExportCard uid={uid} zone={zone} />
      <DeleteAccountCard onDeleted={deleted} />
    </section>
  );
}
