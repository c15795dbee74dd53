/** Feature flags for admins: `list_flags` (with reach) and `set_flag` (audited). */
import { callable } from "../../../lib/firebase/callables";

/** Every flag (known to the code or stored) with how many users it reaches. */
export const listFlags = callable("list_flags");
/** Create or replace a flag; a stale `expectedVersion` is `failed-precondition`. */
export const setFlag = callable("set_flag");
