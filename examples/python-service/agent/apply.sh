#!/bin/sh
# A scripted coding agent: copies the prepared files for the task into the workspace and reports
# through the result file Penguin names in PENGUIN_RESULT_FILE.
set -eu
here=$(dirname "$0")
src="$here/solutions/$PENGUIN_BLUEPRINT_ID"
if [ ! -d "$src" ]; then
  echo "no prepared change for task $PENGUIN_BLUEPRINT_ID" >&2
  exit 3
fi
cp -R "$src/." .
echo "applied $PENGUIN_BLUEPRINT_ID"
if [ -n "${PENGUIN_RESULT_FILE:-}" ]; then
  printf '{"status":"done","summary":"applied %s"}' "$PENGUIN_BLUEPRINT_ID" > "$PENGUIN_RESULT_FILE"
fi
