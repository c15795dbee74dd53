import { usePageTitle } from "../usePageTitle";

export default function ChatPage() {
  usePageTitle("Chat");
  return (
    <section>
      <h1>Chat</h1>
      <p>Conversations with Aura will appear here, streamed as they are written and kept in your history.</p>
    </section>
  );
}
