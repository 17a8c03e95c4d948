#!/usr/bin/env bash
# Checks that libkiln.so exports exactly the functions kiln.h declares:
# nothing missing (a link error for users), nothing extra (an accidental ABI).
set -euo pipefail
lib=$1 header=$2
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort -u)
declared=$(grep -oE '\bkiln_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u)
if [ "$exported" != "$declared" ]; then
  echo "exported symbols differ from kiln.h declarations:"
  diff <(echo "$declared") <(echo "$exported") | sed 's/^</  declared only:/; s/^>/  exported only:/' || true
  exit 1
fi
echo "exports match kiln.h: $(echo "$exported" | wc -l) functions"
