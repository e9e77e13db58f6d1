#!/usr/bin/env bash
# Regenerates the upgrade fixture: a database made by a previous release of Roster, on SQLite and
# on PostgreSQL, plus the answers that release gave to every App API read over it. The test
# test/upgrade/upgrade.e2e.test.ts restores both and checks that the current server, after running
# its migrations, answers the same.
#
# usage: scripts/upgrade-fixture/build.sh [COMMIT]      (default c817c5a, the release before phase A)
# needs: git, node, npm, and a PostgreSQL on 127.0.0.1:5432 (user postgres, trust) with pg_dump;
#        TEST_DATABASE_URL may name another server (its database is only used to create a new one);
#        OLD_CHECKOUT may name a checkout of COMMIT that is already built (npm ci, tsc -b), to skip
#        making one.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
COMMIT=${1:-c817c5a}
FULL=$(git rev-parse "$COMMIT")
OUT="$ROOT/test/upgrade/fixtures/${COMMIT}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/roster-fixture-XXXXXX")
OLD=${OLD_CHECKOUT:-"$WORK/roster-$COMMIT"}
ADMIN_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB="roster_fixture_$$"
DB_URL="$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$ADMIN_URL" "$DB")"

cleanup() {
  psql "$ADMIN_URL" -qc "drop database if exists \"$DB\" with (force)" >/dev/null 2>&1 || true
  [ -n "${OLD_CHECKOUT:-}" ] || git worktree remove --force "$OLD" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${OLD_CHECKOUT:-}" ]; then
  echo "building $COMMIT in $OLD"
  git worktree add --detach "$OLD" "$FULL" >/dev/null
  (cd "$OLD" && npm ci --no-audit --no-fund --loglevel=error && npx tsc -b packages/protocol packages/server)
fi
[ "$(git -C "$OLD" rev-parse HEAD)" = "$FULL" ] || { echo "$OLD is not at $FULL" >&2; exit 1; }
CLI="$OLD/packages/server/dist/cli/main.js"

mkdir -p "$OUT"
rm -f "$OUT"/expected-*.json "$OUT"/roster.db "$OUT"/postgres.sql

echo "SQLite"
node scripts/upgrade-fixture/generate.mjs --cli "$CLI" --engine sqlite --data "$WORK/sqlite" --out "$OUT" --commit "$FULL"
# One self-contained file: the WAL folded in, no -wal/-shm beside it.
node -e '
  const Database = require("better-sqlite3");
  const db = new Database(process.argv[1]);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.pragma("journal_mode = DELETE");
  db.exec("vacuum");
  db.close();
' "$WORK/sqlite/roster.db"
cp "$WORK/sqlite/roster.db" "$OUT/roster.db"

echo "PostgreSQL"
psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -qc "create database \"$DB\""
node scripts/upgrade-fixture/generate.mjs --cli "$CLI" --engine postgres --data "$WORK/pg-data" \
  --database-url "$DB_URL" --out "$OUT" --commit "$FULL"
# Plain SQL with INSERTs (not COPY), so the test can replay it through the pg client alone.
pg_dump --inserts --no-owner --no-privileges --no-comments "$DB_URL" |
  grep -v '^\\' |
  grep -v '^-- Dumped \(from\|by\)' >"$OUT/postgres.sql"

cat >"$OUT/README.md" <<EOF
# Upgrade fixture: Roster $COMMIT

Made by \`scripts/upgrade-fixture/build.sh $COMMIT\` from commit \`$FULL\`; do not edit by hand.

- \`roster.db\`: the SQLite store (\`DATA_DIR/roster.db\`) that release wrote.
- \`postgres.sql\`: the same workspace written by that release on PostgreSQL (\`pg_dump --inserts\`).
- \`expected-sqlite.json\`, \`expected-postgres.json\`: every App API read the test asks, with
  the answer that release gave on that engine.

The workspace's keys are in the expected files (site id \`upgradefixture\`); its push-provider
credentials are throwaway keys made for the fixture, pointing at 127.0.0.1:9.
EOF
ls -l "$OUT"
