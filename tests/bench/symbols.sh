#!/bin/sh
# symbols.sh - the symbol cache benchmark of issue 3, side by side in one
# run: wc -l, building the cache (time and peak memory), its size, and
# 10,000 random lookups with inline chains including opening the cache.
# Input: a libxul-sized file grown from the corpus libc symbols with
# ../shared/tools/grow-sym.py (kept in $BENCH_DIR between runs).
set -e
cd "$(dirname "$0")/../.."
shared=${CRASHDESK_SHARED:-../shared}
dir=${BENCH_DIR:-/tmp/crashdesk-bench}
size=${BENCH_SIZE_MB:-600}
src=$(ls "$shared"/corpus/symbols/libc.so.6/*/libc.so.6.sym 2>/dev/null | head -1)
if [ -z "$src" ]; then
	echo "symbols bench: skipped, $shared/corpus is absent"
	exit 0
fi
mkdir -p "$dir"
big="$dir/big-$size.sym"
[ -s "$big" ] || python3 "$shared/tools/grow-sym.py" "$src" "$big" --size-mb "$size" 2>/dev/null
bytes=$(stat -c %s "$big")
wc -l "$big" >/dev/null # warm the page cache for both
t_wc=$( { /usr/bin/time -f %e wc -l "$big" >/dev/null; } 2>&1 )
out=$( { /usr/bin/time -f "%e %M" build/crashdesk sym convert "$big" -o "$dir/big.cdsym" >/dev/null; } 2>&1 )
t_build=${out% *}
rss_kb=${out#* }
cache=$(stat -c %s "$dir/big.cdsym")
look=$(build/tests/bench/bench_lookup "$dir/big.cdsym" 10000)
t_look=$(echo "$look" | awk '{print $NF}')
awk -v b="$bytes" -v w="$t_wc" -v t="$t_build" -v r="$rss_kb" -v c="$cache" -v l="$t_look" -v info="$look" 'BEGIN {
	printf "input:            %.0f MB (%s)\n", b / 1e6, "grown from corpus libc.so.6.sym"
	printf "wc -l:            %.2f s\n", w
	printf "cache build:      %.2f s = %.1f x wc -l   (target <= 15 x)\n", t, t / w
	printf "build peak RSS:   %.0f MB = %.1f%% of the file (target < 25%%)\n", r / 1024, 100 * r * 1024 / b
	printf "cache size:       %.0f MB = %.1f%% of the file (target <= 40%%)\n", c / 1e6, 100 * c / b
	printf "10,000 lookups:   %.2f ms including open (target < 20 ms)  [%s]\n", l * 1000, info
}'
