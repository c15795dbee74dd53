/** Usage analytics for admins: `query_analytics` (daily counters over a range of days). */
import { callable } from "../../../lib/firebase/callables";

/** Per day of `from`..`to` (UTC, inclusive, at most 92 days): calls, AI usage, events, users. */
export const queryAnalytics = callable("query_analytics");
