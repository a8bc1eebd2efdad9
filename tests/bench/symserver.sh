#!/bin/sh
# symserver.sh - the download benchmark of issue 6: the symbols of all
# corpus dumps fetched from tests/symserver.py (100 ms added to every
# answer) with 8 parallel downloads into a cold cache, against the download
# of the largest single symbol file alone, in one run. Two ways: `walk` of
# every dump (what the stacks need, fetched lazily, round by round) and
# `sym prefetch` (every module of every dump).
set -e
cd "$(dirname "$0")/../.."
shared=${CRASHDESK_SHARED:-../shared}
if [ ! -d "$shared/corpus/dumps" ] || ! command -v python3 >/dev/null; then
	echo "symserver bench: skipped, $shared/corpus or python3 is absent"
	exit 0
fi
tmp=$(mktemp -d)
python3 tests/symserver.py "$shared/corpus/symbols" --port-file "$tmp/port" --log "$tmp/log" --latency 100 &
spid=$!
trap 'kill $spid 2>/dev/null; rm -rf "$tmp"' EXIT
while [ ! -s "$tmp/port" ]; do sleep 0.05; done
url="http://127.0.0.1:$(cat "$tmp/port")"
export XDG_CONFIG_HOME="$tmp/config"
now() { date +%s.%N; }

# The largest file alone.
big=$(find "$shared/corpus/symbols" -name '*.sym' -printf '%s %P\n' | sort -n | tail -1 | cut -d' ' -f2)
file=${big%%/*}
id=$(echo "$big" | cut -d/ -f2)
t0=$(now)
build/crashdesk sym fetch --cache-dir "$tmp/one" --symbols-url "$url" "$file" "$id" >/dev/null
t1=$(now)
# Every dump walked: the modules the stacks touch.
: >"$tmp/log"
w0=$(now)
build/crashdesk walk --json --jobs 8 --cache-dir "$tmp/walk" --symbols-url "$url" "$shared/corpus/dumps" >/dev/null 2>&1
w1=$(now)
wreq=$(wc -l <"$tmp/log")
wok=$(grep -c ' 200$' "$tmp/log" || true)
: >"$tmp/log"
w2=$(now)
build/crashdesk walk --json --jobs 8 --cache-dir "$tmp/walk" --symbols-url "$url" "$shared/corpus/dumps" >/dev/null 2>&1
w3=$(now)
wreq2=$(wc -l <"$tmp/log")
: >"$tmp/log"
# Every module of every dump, 8 at once.
t2=$(now)
out=$(build/crashdesk sym prefetch --jobs 8 --cache-dir "$tmp/all" --symbols-url "$url" "$shared/corpus/dumps" 2>/dev/null)
t3=$(now)
req=$(wc -l <"$tmp/log")
ok=$(grep -c ' 200$' "$tmp/log" || true)
# The same again: everything is cached (files or remembered 404s).
: >"$tmp/log"
t4=$(now)
build/crashdesk sym prefetch --jobs 8 --cache-dir "$tmp/all" --symbols-url "$url" "$shared/corpus/dumps" >/dev/null 2>&1
t5=$(now)
req2=$(wc -l <"$tmp/log")
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" -v f="$t5" -v req="$req" -v ok="$ok" \
	-v req2="$req2" -v out="$out" -v big="$big" -v w0="$w0" -v w1="$w1" -v w2="$w2" -v w3="$w3" \
	-v wreq="$wreq" -v wok="$wok" -v wreq2="$wreq2" 'BEGIN {
	one = b - a; all = d - c; bound = int((req + 7) / 8) * 0.1
	walk = w1 - w0; wbound = int((wreq + 7) / 8) * 0.1
	printf "largest file alone (%s): %.2f s\n", big, one
	printf "walk of all corpus dumps, 8 jobs, 100 ms per request: %.2f s = %.1fx the largest file (target 1.5x)\n", walk, walk / one
	printf "  %d requests (%d answered 200); latency alone needs >= ceil(%d/8) x 100 ms = %.1f s\n", wreq, wok, wreq, wbound
	printf "  second walk, cache warm: %.2f s, %d requests\n", w3 - w2, wreq2
	printf "sym prefetch of every module of all corpus dumps: %.2f s = %.1fx the largest file\n", all, all / one
	printf "  %s\n", out
	printf "  %d requests (%d answered 200); latency alone needs >= ceil(%d/8) x 100 ms = %.1f s: %.0f%% of that bound\n", req, ok, req, bound, 100 * bound / all
	printf "second run, cache warm: %.2f s, %d requests\n", f - e, req2
}'
