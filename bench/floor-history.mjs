// The history rows Roster records, written with raw SQL: the floors of bench/floor-server.mjs
// and bench/import.mjs use this so they write the same rows as Roster and as each other.

/** Prepared writers of `activities` rows on a better-sqlite3 database with Roster's schema. */
export function historyWriter(db) {
  const insert = db.prepare(
    `insert into activities (id, workspace_id, person_pid, customer_identifiers, type, name, data, source, timestamp)
     values (?, ?, ?, ?, ?, null, ?, 'floor', ?)`,
  );
  let seq = 0;
  // Sortable and unique, like Roster's ULIDs.
  const id = () => `${Date.now().toString(36).padStart(10, '0')}${(seq++).toString(36).padStart(16, '0')}`;
  const change = (ws, pid, who, attrs, now) =>
    insert.run(id(), ws, pid, who, 'attribute_change', JSON.stringify(attrs), now);
  return {
    /** A new person's profile_create and attribute_change. */
    created(ws, pid, identifiers, attrs, now) {
      const who = JSON.stringify(identifiers);
      insert.run(id(), ws, pid, who, 'profile_create', JSON.stringify({ identifiers }), now);
      change(ws, pid, who, attrs, now);
    },
    /** An existing person's attribute_change. */
    changed(ws, pid, identifiers, attrs, now) {
      change(ws, pid, JSON.stringify(identifiers), attrs, now);
    },
  };
}
