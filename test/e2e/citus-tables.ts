/**
 * The tables a database sharded by workspace does not shard (docs/scaling.md "Past one database"),
 * shared by the schema test and the query audit.
 */

/** Small global lookup tables, copied to every node (`create_reference_table`). */
export const REFERENCE_TABLES = ['workspaces', 'write_keys', 'push_providers', 'delivery_workspaces'];
/** Roster's own bookkeeping, kept on the coordinator only. */
export const COORDINATOR_TABLES = ['roster_migrations', 'leases', 'webhook_event_clock'];
