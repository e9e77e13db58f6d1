# Sourced before every shell block of the docs (test/docs/docs-blocks.test.ts).
set -eo pipefail
stood_in() { echo "STOOD-IN: $*" >> "$DOCS_LOG"; }
npm() { stood_in "npm $*"; }
docker() { stood_in "docker $*"; }
pg_dump() { stood_in "pg_dump $*"; }
pg_restore() { stood_in "pg_restore $*"; }
npx() {
  if [ "$1" != roster ]; then echo "docs run only npx roster, not npx $1" >&2; return 1; fi
  shift
  echo "RAN: roster $*" >> "$DOCS_LOG"
  node "$ROSTER_CLI" "$@"
}
curl() {
  local out status body
  out=$(command curl -sS "$@" -w '\n%{http_code}') || { echo "curl could not reach the server: curl $*" >&2; return 1; }
  status=${out##*$'\n'}
  body=${out%$'\n'*}
  printf '%s\n' "$body"
  echo "RAN: curl $* -> $status" >> "$DOCS_LOG"
  case "$status" in
    2??|409) return 0 ;;
    404) case "$body" in *'Route '*|*'no route'*|*'Not Found'*) ;; *) return 0 ;; esac ;;
  esac
  echo "curl answered $status: curl $* -> $body" >&2
  return 1
}
