/** The audit log for admins: `query_audit` (filters, newest first, cursor pages). */
import { callable } from "../../../lib/firebase/callables";

/** One page of the audit log; `nextCursor` asks for the next one (null: the last page). */
export const queryAudit = callable("query_audit");
