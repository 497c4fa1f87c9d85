#!/usr/bin/env bash
# All tests, in two tiers (each its own pytest processes, because eventlet's monkey patch and
# asyncio do not share a process, and pytest-xdist's workers deadlock under the monkey patch):
#   1. contracts, domain units and service tests (Nameko containers against the real broker and
#      databases) — one pytest process per package, two at a time;
#   2. the gateway, end-to-end, browser and fault tests, against the real processes of the whole
#      platform started by aww_devtools.stack.
# Extra arguments go to every pytest run (e.g. `make test ARGS="-k outbox"`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PSYCOPG_WAIT_FUNC=wait_select
pytest=(.venv/bin/python -m pytest -p no:pytest_nameko -p no:cacheprovider)
logs=$(mktemp -d)
started=$(date +%s)

tier1_dirs=(contracts/tests libs/belgian_ids/tests libs/servicekit/tests)
for dir in services/*/tests; do
  [ "$dir" = services/gateway/tests ] || tier1_dirs+=("$dir")
done

echo "== tier 1: contracts, domain and service tests (${#tier1_dirs[@]} packages, 2 at a time)"
export logs
run_one() {
  dir=$1; shift
  log="$logs/$(echo "$dir" | tr / _).log"
  if .venv/bin/python -m pytest -p no:pytest_nameko -p no:cacheprovider -p servicekit.testing.pytest_plugin -q "$dir" "$@" >"$log" 2>&1; then
    # the summary line, not the last line: threads of killed containers may log after it
    echo "   ok    $dir: $(grep -E '^=*.* (passed|failed|error)' "$log" | tail -n 1 | tr -d '=')"
  else
    code=$?
    # exit code 5: no test selected by the extra arguments, which is fine
    if [ "$code" = 5 ]; then echo "   none  $dir"; exit 0; fi
    echo "   FAIL  $dir"; cat "$log"; exit 1
  fi
}
export -f run_one
printf '%s\n' "${tier1_dirs[@]}" | xargs -P 2 -I{} bash -c 'run_one "$@"' _ {} "$@"

echo "== tier 2: gateway, end-to-end, browser and fault tests"
"${pytest[@]}" -q -p aww_devtools.pytest_stack services/gateway/tests tests "$@" || [ $? = 5 ]
echo "== all tests passed in $(( $(date +%s) - started )) s"
