import { usePageTitle } from "../../hooks/usePageTitle";

export default function CalendarPage() {
  usePageTitle("Calendar");
  return (
    <section>
      <h1>Calendar</h1>
      <p>Your upcoming events and the time Aura finds for your plans will show here.</p>
    </section>
  );
}
