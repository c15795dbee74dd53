/** The routes: public pages, and the rest behind sign-in, each page from its feature. */
import { lazy, Suspense, type ReactNode } from "react";
import { createBrowserRouter, Navigate } from "react-router";
import { RouterProvider } from "react-router/dom";
import { RequireAuth } from "../components/RequireAuth";
import { Loading } from "../components/Status";
import SignInPage from "../features/auth/pages/SignInPage";
import SignUpPage from "../features/auth/pages/SignUpPage";
import ProfilePage from "../features/profile/pages/ProfilePage";
import StatusPage from "../features/status/pages/StatusPage";
import InboxPage from "../features/inbox/pages/InboxPage";
import TasksPage from "../features/tasks/pages/TasksPage";
import MemoryPage from "../features/memory/pages/MemoryPage";
import GoodbyePage from "../features/privacy/pages/GoodbyePage";
import PrivacyPage from "../features/privacy/pages/PrivacyPage";
import { Layout } from "./Layout";
import NotFoundPage from "./routes/NotFoundPage";

// Chat brings markdown and code highlighting, Automations its editor: each is loaded on
// first visit, in its own chunks.
const ChatPage = lazy(() => import("../features/chat/pages/ChatPage"));
const PlanPage = lazy(() => import("../features/plan/pages/PlanPage"));
const AutomationsPage = lazy(() => import("../features/automations/pages/AutomationsPage"));
const WorkflowEditorPage = lazy(() => import("../features/automations/pages/WorkflowEditorPage"));
const WorkflowExecutionsPage = lazy(
  () => import("../features/automations/pages/WorkflowExecutionsPage"),
);
const ExecutionPage = lazy(() => import("../features/automations/pages/ExecutionPage"));
// The calendar brings FullCalendar and rrule: loaded on first visit.
const CalendarPage = lazy(() => import("../features/calendar/pages/CalendarPage"));
// The studio brings highlight.js's grammars and the zip library: loaded on first visit.
const StudioPage = lazy(() => import("../features/studio/pages/StudioPage"));
// Decisions bring the chart library (recharts): loaded on first visit.
const DecisionsPage = lazy(() => import("../features/decisions/pages/DecisionsPage"));
// The admin pages: loaded on first visit (only admins see them in the nav).
const FlagsPage = lazy(() => import("../features/admin/pages/FlagsPage"));
const AuditPage = lazy(() => import("../features/admin/pages/AuditPage"));
const AnalyticsPage = lazy(() => import("../features/admin/pages/AnalyticsPage"));

function Lazy({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

const chat = (
  <Lazy>
    <ChatPage />
  </Lazy>
);
const workflowEditor = (
  <Lazy>
    <WorkflowEditorPage />
  </Lazy>
);

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: "signin", element: <SignInPage /> },
      { path: "signup", element: <SignUpPage /> },
      { path: "status", element: <StatusPage /> },
      { path: "goodbye", element: <GoodbyePage /> },
      {
        element: <RequireAuth />,
        children: [
          { index: true, element: <Navigate to="/profile" replace /> },
          { path: "profile", element: <ProfilePage /> },
          { path: "chat", element: chat },
          { path: "chat/:conversationId", element: chat },
          {
            path: "studio",
            element: (
              <Lazy>
                <StudioPage />
              </Lazy>
            ),
          },
          {
            path: "automations",
            element: (
              <Lazy>
                <AutomationsPage />
              </Lazy>
            ),
          },
          { path: "automations/new", element: workflowEditor },
          { path: "automations/:workflowId/edit", element: workflowEditor },
          {
            path: "automations/:workflowId/executions",
            element: (
              <Lazy>
                <WorkflowExecutionsPage />
              </Lazy>
            ),
          },
          {
            path: "automations/executions/:executionId",
            element: (
              <Lazy>
                <ExecutionPage />
              </Lazy>
            ),
          },
          { path: "tasks", element: <TasksPage /> },
          {
            path: "calendar",
            element: (
              <Lazy>
                <CalendarPage />
              </Lazy>
            ),
          },
          { path: "inbox", element: <InboxPage /> },
          { path: "memory", element: <MemoryPage /> },
          { path: "privacy", element: <PrivacyPage /> },
          {
            path: "plan",
            element: (
              <Lazy>
                <PlanPage />
              </Lazy>
            ),
          },
          {
            path: "admin/flags",
            element: (
              <Lazy>
                <FlagsPage />
              </Lazy>
            ),
          },
          {
            path: "admin/audit",
            element: (
              <Lazy>
                <AuditPage />
              </Lazy>
            ),
          },
          {
            path: "admin/analytics",
            element: (
              <Lazy>
                <AnalyticsPage />
              </Lazy>
            ),
          },
          {
            path: "decisions",
            element: (
              <Lazy>
                <DecisionsPage />
              </Lazy>
            ),
          },
        ],
      },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
