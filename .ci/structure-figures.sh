#!/bin/sh
# Structure figures of a checkout: largest module circle, largest file, string round trips,
# to_string() error conversions. Usage: .ci/structure-figures.sh [checkout dir] (default: here)
GRAPH="$(cd "$(dirname "$0")" && pwd)/module-graph.py"
cd "${1:-.}" || exit 1
echo "largest circle: $(python3 "$GRAPH" api/src 2>/dev/null | sed -n "s/^largest circle: //p")"
echo "largest file: $(find api/src web/src -name '*.rs' | xargs wc -l | grep -v total | sort -n | tail -1)"
echo "string round trips (.as_str().into(), .as_str().to_string(), parse().unwrap_or): $(grep -rE '\.as_str\(\)\.(into|to_string|to_owned)\(\)|parse\([^)]*\)\.unwrap_or' api/src web/src --include=*.rs | wc -l)"
echo "to_string error conversions (map_err(|e| e.to_string()) and friends): $(grep -rE 'map_err\(\|[a-z_]+\| [a-z_]+\.to_string\(\)\)|map_err\(\|[a-z_]+\| format!' api/src web/src --include=*.rs | wc -l)"
echo "untyped Uuid ids in api/src (fields/params named *id: Uuid): $(grep -rE '\b[a-z_]*id: (Option<)?Uuid\b' api/src --include=*.rs | wc -l)"
