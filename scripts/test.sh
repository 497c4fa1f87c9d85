#!/usr/bin/env bash
# All tests, as separate pytest processes (eventlet's monkey patch and asyncio do not share a
# process, and pytest-xdist's workers deadlock under the monkey patch), two at a time:
#   - contracts, domain units and service tests (Nameko containers against the real broker and
#     databases): one pytest process per package;
#   - the gateway, end-to-end, browser and fault tests, against the real processes of the whole
#     platform started by aww_devtools.stack: one pytest process.
# They wait on the network and on processes more than they compute (one after the other they kept
# the two cores about a third busy), so they run side by side, the longest first.
# Extra arguments go to every pytest run (e.g. `make test ARGS="-k outbox"`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PSYCOPG_WAIT_FUNC=wait_select
logs=$(mktemp -d)
started=$(date +%s)

# "pytest plugin|test directories", the longest first (their times on the development machine)
packages=servicekit.testing.pytest_plugin
jobs=(
  "aww_devtools.pytest_stack|services/gateway/tests tests"  # ~300 s
  "$packages|services/aml-workflow/tests"                   # ~190 s
  "$packages|services/wallet/tests"                         # ~150 s
  "$packages|libs/servicekit/tests"                         # ~100 s
)
for dir in services/*/tests contracts/tests libs/belgian_ids/tests; do  # the others, under a minute each
  [[ " ${jobs[*]} " == *[\|\ ]"$dir "* ]] || jobs+=("$packages|$dir")
done

echo "== ${#jobs[@]} pytest runs, 2 at a time, the longest first"
export logs
run_one() {
  plugin=${1%%|*} dirs=${1#*|}; shift
  log="$logs/$(echo "$dirs" | tr '/ ' '__').log"
  # shellcheck disable=SC2086 # dirs is a list of directories
  # schemathesis is used as a command (tests/e2e/test_api_fuzz.py): its pytest plugin stays out
  if .venv/bin/python -m pytest -p no:pytest_nameko -p no:schemathesis -p no:cacheprovider -p "$plugin" -q $dirs "$@" >"$log" 2>&1; then
    # the summary line, not the last line: threads of killed containers may log after it
    echo "   ok    $dirs: $(grep -E '^=*.* (passed|failed|error)' "$log" | tail -n 1 | tr -d '=')"
  else
    code=$?
    # exit code 5: no test selected by the extra arguments, which is fine
    if [ "$code" = 5 ]; then echo "   none  $dirs"; exit 0; fi
    echo "   FAIL  $dirs"; cat "$log"; exit 1
  fi
}
export -f run_one
printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} bash -c 'run_one "$@"' _ {} "$@"
echo "== all tests passed in $(( $(date +%s) - started )) s"
