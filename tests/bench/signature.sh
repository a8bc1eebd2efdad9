#!/bin/sh
# signature.sh - the signature benchmark of issue 7: 100,000 crashes made
# by repeating the conformance inputs (JSON lines, one crash-data object
# each), signed by `crashdesk signature` on one core, JSON parsing
# included; best of three. Side by side on the same file: Python's
# json.loads of every line (parsing alone, no signature) and jq, and
# Socorro's stated 5,300 signatures per second.
set -e
cd "$(dirname "$0")/../.."
shared=${CRASHDESK_SHARED:-../shared}
cases=$shared/siggen-conformance/cases.jsonl
if [ ! -f "$cases" ]; then
	echo "signature bench: skipped, $cases is absent"
	exit 0
fi
dir=${BENCH_DIR:-/tmp/crashdesk-bench}
mkdir -p "$dir"
in=$dir/signature-100k.jsonl
if [ ! -s "$in" ]; then
	python3 - "$cases" "$in" <<'PY'
import json, sys
lines = [json.dumps(json.loads(l)["input"]) for l in open(sys.argv[1])]
with open(sys.argv[2], "w") as out:
    for i in range(100000):
        out.write(lines[i % len(lines)] + "\n")
PY
fi
lists=$shared/siggen-conformance/siglists
best() { # command... -> best user+sys seconds of three runs, on one core
	b=""
	for i in 1 2 3; do
		/usr/bin/time -o "$dir/time.out" -f "%U %S %e" taskset -c 0 "$@" >/dev/null 2>&1
		t=$(tail -1 "$dir/time.out" | awk '{ printf "%.2f", $1 + $2 }')
		echo "  run: $1 ${2:-} ... cpu $t s, wall $(tail -1 "$dir/time.out" | cut -d' ' -f3) s" >&2
		if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$t; fi
	done
	echo "$b"
}
mb=$(du -m "$in" | cut -f1)
plain=$(best build/crashdesk signature --siglists "$lists" "$in")
json=$(best build/crashdesk signature --json --siglists "$lists" "$in")
py=$(best python3 -c 'import json, sys
for l in open(sys.argv[1]): json.loads(l)' "$in")
awk -v p="$plain" -v j="$json" -v py="$py" -v mb="$mb" 'BEGIN {
	printf "signature, 100,000 crashes (%d MB of JSON lines), one core, CPU seconds (best of 3):\n", mb
	printf "  crashdesk signature:        %5.2f s = %6.0f signatures/s (target < 2 s)\n", p, 100000 / p
	printf "  crashdesk signature --json: %5.2f s = %6.0f signatures/s\n", j, 100000 / j
	printf "  python3 json.loads only:    %5.2f s (%.1f x crashdesk signing)\n", py, py / p
	printf "  Socorro (stated 5,300/s):   %5.2f s (%.1f x crashdesk)\n", 100000 / 5300, 100000 / 5300 / p
}'
if command -v jq >/dev/null; then
	jq=$(best jq -c .signature "$in")
	awk -v q="$jq" -v p="$plain" 'BEGIN { printf "  jq -c .signature only:      %5.2f s (%.1f x crashdesk signing)\n", q, q / p }'
fi
