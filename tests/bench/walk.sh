#!/bin/sh
# walk.sh - the stackwalk benchmark of issue 4: every corpus dump walked
# with symbols, once to build the symbol caches and then with them built
# (best of three), reporting milliseconds per dump and peak memory.
set -e
cd "$(dirname "$0")/../.."
shared=${CRASHDESK_SHARED:-../shared}
if [ ! -d "$shared/corpus/dumps" ]; then
	echo "walk bench: skipped, $shared/corpus is absent"
	exit 0
fi
export XDG_CACHE_HOME=$(mktemp -d)
trap 'rm -rf "$XDG_CACHE_HOME"' EXIT
n=$(ls "$shared"/corpus/dumps/*.dmp | wc -l)
run() { /usr/bin/time -f "%e %M" build/crashdesk walk --json --symbols-path "$shared/corpus/symbols" \
	"$shared/corpus/dumps" 2>&1 >/dev/null | tail -1; }
first=$(run)
best=""
for i in 1 2 3; do
	r=$(run)
	if [ -z "$best" ] || awk -v a="${r% *}" -v b="${best% *}" 'BEGIN { exit !(a < b) }'; then best=$r; fi
done
# Walked afresh each time (--reprocess: no stored result reused), the
# crash address analysis included; issue 12's target is 1.5 ms per dump.
rerun() { /usr/bin/time -f "%e %M" build/crashdesk walk --json --reprocess --symbols-path \
	"$shared/corpus/symbols" "$shared/corpus/dumps" 2>&1 >/dev/null | tail -1; }
walked=""
for i in 1 2 3; do
	r=$(rerun)
	if [ -z "$walked" ] || awk -v a="${r% *}" -v b="${walked% *}" 'BEGIN { exit !(a < b) }'; then walked=$r; fi
done
awk -v n="$n" -v f="$first" -v b="$best" -v w="$walked" 'BEGIN {
	split(f, F, " "); split(b, B, " "); split(w, W, " ")
	printf "walk, %d corpus dumps, walked again (--reprocess): %.2f s = %.2f ms per dump (target < 1.5), peak %.1f MB\n", n, W[1], 1000 * W[1] / n, W[2] / 1024
	printf "walk, %d corpus dumps, caches cold:  %.2f s = %.1f ms per dump, peak %.1f MB\n", n, F[1], 1000 * F[1] / n, F[2] / 1024
	printf "walk, %d corpus dumps, caches built: %.2f s = %.1f ms per dump (target < 5), peak %.1f MB (target < 50)\n", n, B[1], 1000 * B[1] / n, B[2] / 1024
}'

# The 600 MB generated libc symbol file (made by symbols.sh) standing in
# for own-abort_assert's libc: the first walk builds its cache, the
# second uses it.
big=${BENCH_DIR:-/tmp/crashdesk-bench}/big-${BENCH_SIZE_MB:-600}.sym
id=EC61AC938E5A39B16F9FBD350E3169A50
if [ -s "$big" ] && [ "$(head -c 80 "$big" | cut -d' ' -f4)" = "$id" ]; then
	store=$(mktemp -d)
	mkdir -p "$store/libc.so.6/$id" && ln -s "$(realpath "$big")" "$store/libc.so.6/$id/libc.so.6.sym"
	t() { s=$(date +%s%N); build/crashdesk walk --json --symbols-path "$store" --symbols-path \
		"$shared/corpus/symbols" "$shared/corpus/dumps/own-abort_assert.dmp" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
	first=$(t); second=$(t)
	echo "walk with a $(( $(stat -c %s "$big") / 1000000 )) MB libc: first ${first} ms (builds the cache), second ${second} ms (target < 50 ms)"
	rm -rf "$store"
fi
