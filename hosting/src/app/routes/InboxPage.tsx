import { usePageTitle } from "../../hooks/usePageTitle";

export default function InboxPage() {
  usePageTitle("Inbox");
  return (
    <section>
      <h1>Inbox</h1>
      <p>Notifications and decisions waiting for your answer will arrive here.</p>
    </section>
  );
}
