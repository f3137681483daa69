#!/bin/sh
# Container entrypoint of a Node.js service: check the secrets the container
# received against the schema, and start the application only when they are
# valid. keyward prints names and problems, never a value.
#
#   ENTRYPOINT ["/app/entrypoint.sh"]    (see Dockerfile)
#
# Exit codes: the application's own once started; otherwise keyward's
# (1: the secrets are invalid, 2: keyward could not validate, e.g. no schema).
# The JSON report is left in $KEYWARD_REPORT for the application to read
# (server.js logs its warnings and serves a summary on /health).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
schema=${KEYWARD_SCHEMA:-$here/secrets.schema.toml}
report=${KEYWARD_REPORT:-${TMPDIR:-/tmp}/keyward-report.json}
export KEYWARD_REPORT="$report"

status=0
keyward validate --schema "$schema" --from-env --format json >"$report" || status=$?
if [ "$status" -ne 0 ]; then
  if [ "$status" -eq 1 ]; then
    # the same verdict as text, for the container log
    keyward validate --schema "$schema" --from-env >&2 || true
    echo "entrypoint: not starting: the secrets are invalid (see above)" >&2
  else
    echo "entrypoint: not starting: keyward could not validate the secrets (exit $status)" >&2
  fi
  exit "$status"
fi

exec node "$here/server.js" "$@"
