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
  // What Roster stores (packages/server/src/store/activities/activities.ts): a new person's
  // profile_create and first attribute_change as one create_change row of attribute values; a
  // later attribute_change of {attr: {from, to}} without identifiers (its person's earlier row has them).
  return {
    /** A new person's create_change row. */
    created(ws, pid, identifiers, attrs, now) {
      insert.run(id(), ws, pid, JSON.stringify(identifiers), 'create_change', JSON.stringify(attrs), now);
    },
    /** An existing person's attribute_change. */
    changed(ws, pid, _identifiers, changes, now) {
      insert.run(id(), ws, pid, null, 'attribute_change', JSON.stringify(changes), now);
    },
  };
}
