#!/bin/sh
# crashstats.test.sh - fetch, search, import, export, reprocess and siginfo
# against the fake Crash Stats (tests/crashstats_server.py) on 127.0.0.1:
# tokens, protected fields, dumps, 403/404/400, 429 with and without
# Retry-After, 5xx, dropped connections, malformed JSON, a large dump,
# hundreds of crashes under throttling, the fetch-data round trip, and the
# token never written anywhere.
cd "$(dirname "$0")/.." || exit 1
cd_bin=${CRASHDESK:-build/crashdesk}
case $cd_bin in /*) ;; *) cd_bin=$PWD/$cd_bin ;; esac
shared=${CRASHDESK_SHARED:-../shared}
fx=$shared/crashstats-fixtures
if [ ! -d "$fx" ] || [ ! -d "$shared/corpus/dumps" ]; then
	echo "skip crashstats: $fx or $shared/corpus is absent"
	exit 0
fi
if ! command -v python3 >/dev/null; then
	echo "skip crashstats: python3 absent"
	exit 0
fi
tmp=$(mktemp -d)
sp=
stop() { [ -n "$sp" ] && kill "$sp" 2>/dev/null && wait "$sp" 2>/dev/null; sp=; }
trap 'stop; rm -rf "$tmp"' EXIT
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

TOKEN=cdTestToken-9f2b7c4e1a
WEAK=cdWeakToken-000111
export XDG_CACHE_HOME="$tmp/cache" XDG_CONFIG_HOME="$tmp/config" HOME="$tmp/home"
export CRASHDESK_CRASHSTATS_BACKOFF_MS=20
unset CRASHSTATS_API_TOKEN CRASHDESK_CRASHSTATS_URL
mkdir -p "$tmp/home"
all="$tmp/all-output" # every command's stdout and stderr, searched for the token
: >"$all"

start() { # start [SERVER OPTIONS...]
	stop
	rm -f "$tmp/port" "$tmp/log"
	python3 tests/crashstats_server.py --fixtures "$fx" --dumps "$shared/corpus/dumps" \
		--port-file "$tmp/port" --log "$tmp/log" --token "$TOKEN" --weak-token "$WEAK" "$@" &
	sp=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	export CRASHDESK_CRASHSTATS_URL="http://127.0.0.1:$(cat "$tmp/port")"
}
# run NAME CMD... : runs crashdesk, output in $tmp/NAME.out/.err, status in $rc
run() {
	n=$1
	shift
	"$cd_bin" "$@" >"$tmp/$n.out" 2>"$tmp/$n.err"
	rc=$?
	cat "$tmp/$n.out" "$tmp/$n.err" >>"$all"
}
withtok() { CRASHSTATS_API_TOKEN=$TOKEN "$@"; }
db() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print('\n'.join('|'.join(str(x) for x in r) for r in c.execute(sys.argv[2])))" "$XDG_CACHE_HOME/crashdesk/crashdesk.db" "$1"; }

A=2fa91425-cb00-8853-9d2c-67eda1261111 # own-abort_assert.dmp, has Comments and URL
B=db5b5fab-8f4d-3e27-dda1-494c73261110 # own-null_write_inline.dmp
MISSING=0b8a7c5e-4d3a-4b6c-9e1f-2a3b42261101

start

# ---- without a token: public data, dumps unavailable (not a failure) ------
run notoken fetch --out "$tmp/pub" $A
[ $rc -eq 0 ] && grep -q "$A: raw ok; processed ok; dump unavailable: needs an API token with protected data access" "$tmp/notoken.out" &&
	ok fetch/no-token-dump-unavailable || fail fetch/no-token-dump-unavailable "rc=$rc $(cat "$tmp/notoken.out" "$tmp/notoken.err")"
grep -q "auth=none" "$tmp/log" && ! grep -q "auth=good" "$tmp/log" && ok fetch/no-token-no-header || fail fetch/no-token-no-header "$(cat "$tmp/log")"
raw=$tmp/pub/raw_crash/20261111/$A
[ -f "$raw" ] && ! grep -q '"Comments"' "$raw" && ! grep -q '"metadata"' "$raw" && grep -q '"ProductName"' "$raw" &&
	ok fetch/protected-withheld || fail fetch/protected-withheld "$(cat "$raw" 2>&1 | head -5)"
[ ! -e "$tmp/pub/upload_file_minidump/$A" ] && [ ! -e "$tmp/pub/dump_names/$A" ] && ok fetch/no-dump-file || fail fetch/no-dump-file "a dump was written"
[ "$(db "SELECT public_only FROM cs_docs WHERE crash_id='$A' AND kind='raw'")" = 1 ] &&
	ok store/public-only-marked || fail store/public-only-marked "$(db "SELECT crash_id, kind, public_only FROM cs_docs")"

# ---- with a token: everything, the dump checked against the corpus -------
withtok run tok fetch --out "$tmp/full" $A $B
want=$(sha256sum "$shared/corpus/dumps/own-abort_assert.dmp" | cut -d' ' -f1)
[ $rc -eq 0 ] && grep -q "$A: raw ok; processed ok; dump ok (sha256 $(echo "$want" | cut -c1-16)" "$tmp/tok.out" &&
	ok fetch/token-dump || fail fetch/token-dump "rc=$rc $(cat "$tmp/tok.out" "$tmp/tok.err")"
got=$(sha256sum "$XDG_CACHE_HOME/crashdesk/dumps/$want.dmp" 2>/dev/null | cut -d' ' -f1)
[ "$got" = "$want" ] && [ "$(db "SELECT sha256, size FROM cs_dumps WHERE crash_id='$A'")" = "$want|$(wc -c <"$shared/corpus/dumps/own-abort_assert.dmp" | tr -d ' ')" ] &&
	ok store/dump-by-sha256 || fail store/dump-by-sha256 "got $got"
ls "$XDG_CACHE_HOME/crashdesk/dumps" | grep -q '^\.part' && fail store/no-partial-files "$(ls -a "$XDG_CACHE_HOME/crashdesk/dumps")" || ok store/no-partial-files
cmp -s "$tmp/full/upload_file_minidump/$A" "$shared/corpus/dumps/own-abort_assert.dmp" &&
	[ "$(cat "$tmp/full/dump_names/$A")" = '["upload_file_minidump"]' ] &&
	grep -q '"Comments": "it crashed while I was testing"' "$tmp/full/raw_crash/20261111/$A" &&
	[ -f "$tmp/full/processed_crash/$B" ] && ok fetch/out-layout || fail fetch/out-layout "$(find "$tmp/full" -type f)"
[ "$(db "SELECT product, version, channel, signature FROM cs_crashes WHERE crash_id='$B'")" = "Crashme|1.0|nightly|storage::fill_block" ] &&
	[ "$(db "SELECT public_only FROM cs_docs WHERE crash_id='$A' AND kind='raw'")" = 0 ] &&
	ok store/crash-row || fail store/crash-row "$(db "SELECT * FROM cs_crashes")"
grep "auth=" "$tmp/log" | tail -6 | grep -vq "auth=good" && fail fetch/token-sent "$(tail -6 "$tmp/log")" || ok fetch/token-sent

# ---- ids: URLs, bp- prefix, stdin, invalid ones refused before asking ----
n0=$(wc -l <"$tmp/log")
printf '%s\n\nbp-%s\n' "https://crash-stats.mozilla.org/report/index/$B" "$A" | run stdin fetch --raw
[ $rc -eq 0 ] && [ "$(grep -c ': raw ok;' "$tmp/stdin.out")" -eq 2 ] && ok fetch/ids-from-stdin || fail fetch/ids-from-stdin "$(cat "$tmp/stdin.out" "$tmp/stdin.err")"
n1=$(wc -l <"$tmp/log")
run badid fetch $A 2fa91425-cb00-8853-9d2c-67eda1261399
[ $rc -eq 1 ] && grep -q "is not a crash id" "$tmp/badid.err" && [ "$(wc -l <"$tmp/log")" -eq "$n1" ] &&
	ok fetch/invalid-id-no-request || fail fetch/invalid-id-no-request "rc=$rc $(cat "$tmp/badid.err")"
[ $((n1 - n0)) -eq 2 ] && ok fetch/raw-only-one-request-each || fail fetch/raw-only-one-request-each "$((n1 - n0)) requests"
run notfound fetch --processed $MISSING
[ $rc -eq 1 ] && grep -q "processed Not found: CrashIDNotFound $MISSING" "$tmp/notfound.out" &&
	[ -z "$(db "SELECT crash_id FROM cs_crashes WHERE crash_id='$MISSING'")" ] &&
	ok fetch/404 || fail fetch/404 "rc=$rc $(cat "$tmp/notfound.out" "$tmp/notfound.err")"

# ---- tokens the server refuses or that lack permissions ------------------
CRASHSTATS_API_TOKEN=wrongtoken123 run badtok fetch --processed $A
[ $rc -eq 1 ] && grep -q "the API token was refused (HTTP 403: API Token not matched)" "$tmp/badtok.out" &&
	ok fetch/bad-token || fail fetch/bad-token "rc=$rc $(cat "$tmp/badtok.out")"
grep -q wrongtoken123 "$tmp/badtok.out" "$tmp/badtok.err" && fail fetch/bad-token-not-echoed "" || ok fetch/bad-token-not-echoed
CRASHSTATS_API_TOKEN=$WEAK run weak fetch --dumps $A
[ $rc -eq 0 ] && grep -q "dump unavailable: the API token lacks the permission (HTTP 403: Binary response requires permissions: View Raw Dumps)" "$tmp/weak.out" &&
	ok fetch/weak-token || fail fetch/weak-token "rc=$rc $(cat "$tmp/weak.out")"

# ---- the config file: token only from a private file ---------------------
cfgdir=$tmp/cfg2/crashdesk
mkdir -p "$cfgdir"
printf 'crashstats_url = %s\ncrashstats_token = %s\n' "$CRASHDESK_CRASHSTATS_URL" "$TOKEN" >"$cfgdir/config"
chmod 644 "$cfgdir/config"
XDG_CONFIG_HOME=$tmp/cfg2 run cfgopen fetch --dumps $A
[ $rc -eq 1 ] && grep -q "holds an API token but is readable by group or others (mode 0644); run: chmod 600" "$tmp/cfgopen.err" &&
	ok config/world-readable-refused || fail config/world-readable-refused "rc=$rc $(cat "$tmp/cfgopen.err")"
chmod 600 "$cfgdir/config"
(unset CRASHDESK_CRASHSTATS_URL; XDG_CONFIG_HOME=$tmp/cfg2 run cfgok fetch --dumps $A; echo $rc >"$tmp/cfgok.rc")
[ "$(cat "$tmp/cfgok.rc")" -eq 0 ] && grep -q "dump ok" "$tmp/cfgok.out" && ok config/token-and-url-from-file || fail config/token-and-url-from-file "$(cat "$tmp/cfgok.out" "$tmp/cfgok.err")"
run urlflag fetch --raw --crashstats-url http://127.0.0.1:1 $A
[ $rc -eq 1 ] && grep -q "raw .*127.0.0.1" "$tmp/urlflag.out" && ok config/url-flag-wins || fail config/url-flag-wins "rc=$rc $(cat "$tmp/urlflag.out")"

# ---- schema type checks ---------------------------------------------------
start --wrong-type $B
run wrongtype fetch --processed $B
[ $rc -eq 0 ] && grep -q "$B: warning: processed crash: field 'uptime': expected integer, got string" "$tmp/wrongtype.err" &&
	ok fetch/type-problems-reported || fail fetch/type-problems-reported "rc=$rc $(cat "$tmp/wrongtype.err")"

# ---- search ----------------------------------------------------------------
start --synthetic 2100
run search search --product=Crashme --_facets=signature --_facets=version
[ $rc -eq 0 ] && head -1 "$tmp/search.out" | grep -q "^uuid  *date  *signature  *product  *version" &&
	grep -q "^-- 6 of 6 crashes$" "$tmp/search.out" && grep -q "facet version:" "$tmp/search.out" &&
	grep -q "^         6  1.0" "$tmp/search.out" && ok search/table-and-facets || fail search/table-and-facets "rc=$rc $(cat "$tmp/search.out" "$tmp/search.err")"
run searchsig search --product=Crashme '--signature=~storage' --_columns=uuid --_columns=signature --json
python3 - "$tmp/searchsig.out" <<'PY' && ok search/operators-json || fail search/operators-json "$(cat "$tmp/searchsig.out" "$tmp/searchsig.err")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["total"] == 2, d
assert sorted(h["signature"] for h in d["hits"]) == ["storage::fill_block", "storage::store_cell"], d
assert set(d["hits"][0]) == {"uuid", "signature"}, d
assert d["facets"]["signature"][0]["count"] == 1
PY
: >"$tmp/log"
run paging search --product=Synth --num all --_columns=uuid
[ $rc -eq 0 ] && grep -q "^-- 2100 of 2100 crashes$" "$tmp/paging.out" && [ "$(grep -c '^5e' "$tmp/paging.out")" -eq 2100 ] &&
	ok search/pages-through-all || fail search/pages-through-all "rc=$rc $(tail -3 "$tmp/paging.out") $(cat "$tmp/paging.err")"
grep -q "_results_number=1000&_results_offset=0 " "$tmp/log" && grep -q "_results_number=1000&_results_offset=1000&_facets_size=0 " "$tmp/log" &&
	grep -q "_results_number=1000&_results_offset=2000&_facets_size=0 " "$tmp/log" && [ "$(grep -c SuperSearch "$tmp/log")" -eq 3 ] &&
	ok search/page-requests || fail search/page-requests "$(cat "$tmp/log")"
run num search --product=Synth --num 1500 --_columns=uuid
[ "$(grep -c '^5e' "$tmp/num.out")" -eq 1500 ] && grep -q "1500 of 2100 crashes (stopped" "$tmp/num.out" && ok search/num-limit || fail search/num-limit "$(tail -2 "$tmp/num.out")"
[ "$(db "SELECT count(*) FROM cs_search_hits WHERE search_id = (SELECT max(id) FROM cs_searches)")" = 1500 ] &&
	db "SELECT query, total FROM cs_searches ORDER BY id DESC LIMIT 1" | grep -q "^product=Synth&_columns=uuid|2100$" &&
	ok search/stored || fail search/stored "$(db "SELECT id, query, total FROM cs_searches")"
run nodateop search --date=2026-11-18
[ $rc -eq 1 ] && grep -q "bad request: Bad request: BadArgumentError: date must have a prefix operator" "$tmp/nodateop.err" &&
	ok search/400-date || fail search/400-date "rc=$rc $(cat "$tmp/nodateop.err")"
run badcol search --_columns=nosuchfield
[ $rc -eq 1 ] && grep -q "Unknown field 'nosuchfield'" "$tmp/badcol.err" && ok search/400-column || fail search/400-column "$(cat "$tmp/badcol.err")"
run daterange search --product=Crashme '--date=>=2026-11-12' '--date=<2026-11-14' --_columns=uuid
[ $rc -eq 0 ] && grep -q "^-- 2 of 2 crashes$" "$tmp/daterange.out" && ok search/date-range || fail search/date-range "$(cat "$tmp/daterange.out")"
run searchusage search product=Crashme
[ $rc -eq 2 ] && ok search/usage || fail search/usage "rc=$rc"

# ---- signature helpers ------------------------------------------------------
run siginfo siginfo mozilla::dom::Element::GetAttr
[ $rc -eq 0 ] && grep -q "first seen 2024-06-12T03:18:40.771204+00:00 (build 20240611094722)" "$tmp/siginfo.out" &&
	grep -q "bug 1902417" "$tmp/siginfo.out" && grep -q "bug 1987350" "$tmp/siginfo.out" && ok siginfo || fail siginfo "$(cat "$tmp/siginfo.out" "$tmp/siginfo.err")"

# ---- throttling, errors, dropped connections: every fetch completes --------
ids=$tmp/ids
python3 - "$tmp/paging.out" >"$ids" <<'PY'
import sys
print("\n".join(l.strip() for l in open(sys.argv[1]) if l.startswith("5e")))
PY
head -300 "$ids" >"$tmp/ids300"
start --synthetic 300 --throttle-every 7
t0=$(date +%s)
withtok run many fetch --jobs 4 --raw --processed --dumps <"$tmp/ids300"
[ $rc -eq 0 ] && [ "$(grep -c 'raw ok; processed ok; dump ok' "$tmp/many.out")" -eq 300 ] &&
	ok throttle/300-crashes-complete || fail throttle/300-crashes-complete "rc=$rc $(grep -vc 'dump ok' "$tmp/many.out") incomplete; $(head -3 "$tmp/many.err")"
n429=$(python3 -c "import sys; n=sum(1 for l in open(sys.argv[1]) if int(l.split()[0]) % 7 == 0); print(n)" "$tmp/log")
[ "$n429" -gt 100 ] && [ "$(grep -c . "$tmp/log")" -ge 1000 ] && ok throttle/429s-were-served || fail throttle/429s-were-served "$n429 of $(grep -c . "$tmp/log")"
maxin=$(sed 's/.*inflight=//' "$tmp/log" | sort -n | tail -1)
[ "$maxin" -le 4 ] && [ "$maxin" -ge 2 ] && ok jobs/parallel-bounded || fail jobs/parallel-bounded "max in flight $maxin"
[ "$(db "SELECT count(*) FROM cs_dumps WHERE crash_id LIKE '5e%'")" = 300 ] && ok throttle/all-stored || fail throttle/all-stored "$(db "SELECT count(*) FROM cs_dumps")"

# Requests 2 and 4 (of 5) get 429; with Retry-After: 1 the client waits a second
# for each (20 ms without it).
start --synthetic 4 --throttle-every 2
t0=$(date +%s.%N)
run noretryafter fetch --jobs 1 --raw $(head -3 "$ids")
t1=$(date +%s.%N)
start --synthetic 4 --throttle-every 2 --retry-after 1
run retryafter fetch --jobs 1 --raw $(head -3 "$ids")
t2=$(date +%s.%N)
[ $rc -eq 0 ] && python3 -c "import sys; a,b,c=map(float,sys.argv[1:]); sys.exit(0 if c - b >= 1.9 and b - a < 1.5 else 1)" "$t0" "$t1" "$t2" &&
	ok throttle/retry-after-honoured || fail throttle/retry-after-honoured "rc=$rc $t0 $t1 $t2 $(cat "$tmp/retryafter.err")"
grep -q "Retry-After" "$tmp/retryafter.out" && fail throttle/retry-invisible "" || ok throttle/retry-invisible

start --synthetic 10 --fail-every 3
run fivexx fetch --raw --processed $(head -10 "$ids")
[ $rc -eq 0 ] && [ "$(grep -c 'raw ok; processed ok' "$tmp/fivexx.out")" -eq 10 ] && ok errors/5xx-retried || fail errors/5xx-retried "$(cat "$tmp/fivexx.out" "$tmp/fivexx.err")"
start --synthetic 10 --drop-every 3
run dropped fetch --raw --processed $(head -10 "$ids")
[ $rc -eq 0 ] && [ "$(grep -c 'raw ok; processed ok' "$tmp/dropped.out")" -eq 10 ] && ok errors/dropped-connections-retried || fail errors/dropped-connections-retried "$(cat "$tmp/dropped.out" "$tmp/dropped.err")"
start --fail-every 1
CRASHDESK_CRASHSTATS_BACKOFF_MS=1 run always5xx fetch --raw $A
[ $rc -eq 1 ] && grep -q "raw HTTP 502: an HTML page (after 11 attempts)" "$tmp/always5xx.out" && ok errors/5xx-gives-up || fail errors/5xx-gives-up "$(cat "$tmp/always5xx.out")"
start --html-dump $B
withtok run htmldump fetch --dumps $B
[ $rc -eq 1 ] && grep -q "dump: the answer is not a minidump (it does not start with MDMP): not stored" "$tmp/htmldump.out" &&
	! grep -rlq "Signed in" "$XDG_CACHE_HOME/crashdesk/dumps" && [ "$(ls -a "$XDG_CACHE_HOME/crashdesk/dumps" | grep -c '^\.part-')" -eq 0 ] &&
	ok errors/html-200-not-a-dump || fail errors/html-200-not-a-dump "rc=$rc $(cat "$tmp/htmldump.out" "$tmp/htmldump.err")"
start --malformed $A
run malformed fetch --processed $A
[ $rc -eq 1 ] && grep -q "processed ProcessedCrash: malformed JSON at line 1" "$tmp/malformed.out" && ok errors/malformed-json || fail errors/malformed-json "$(cat "$tmp/malformed.out")"
stop
run refused fetch --raw --crashstats-url http://127.0.0.1:9 $A
[ $rc -eq 1 ] && grep -q "raw .*127.0.0.1" "$tmp/refused.out" && ok errors/connection-refused || fail errors/connection-refused "rc=$rc $(cat "$tmp/refused.out")"

# ---- a large minidump streams to disk ----------------------------------------
start --synthetic 1 --large-dump 48
big=$(sed -n 1p "$ids")
withtok run large fetch --dumps "$big"
sum=$(python3 -c "
import hashlib,sys
seed=hashlib.sha256(sys.argv[1].encode()).digest(); n=48<<20
print(hashlib.sha256((b'MDMP'+seed*(n//32+1))[:n]).hexdigest())" "$big")
[ $rc -eq 0 ] && [ -f "$XDG_CACHE_HOME/crashdesk/dumps/$sum.dmp" ] && [ "$(wc -c <"$XDG_CACHE_HOME/crashdesk/dumps/$sum.dmp")" -eq $((48 << 20)) ] &&
	ok dump/large || fail dump/large "rc=$rc $(cat "$tmp/large.out" "$tmp/large.err")"

# ---- a killed fetch leaves its .part file; stats counts it, a rerun sweeps it --
start --synthetic 1 --large-dump 8 --dump-chunk-delay-ms 150
big=$(sed -n 1p "$ids")
keep_cache=$XDG_CACHE_HOME
export XDG_CACHE_HOME="$tmp/killcache"
dd="$XDG_CACHE_HOME/crashdesk/dumps"
kill_fetch() { # starts a fetch of $big, kills it -9 once its .part file has data
	CRASHSTATS_API_TOKEN=$TOKEN "$cd_bin" fetch --dumps "$big" >/dev/null 2>&1 &
	fp=$!
	i=0
	while [ $i -lt 200 ] && ! [ -s "$(ls "$dd"/.part-* 2>/dev/null | head -1)" ]; do sleep 0.02; i=$((i + 1)); done
	kill -9 $fp 2>/dev/null
	wait $fp 2>/dev/null
}
kill_fetch
left=$(ls -a "$dd" | grep -c '^\.part-')
run stats cache stats
[ "$left" -eq 1 ] && grep -q "left by killed processes:  1 temporary files" "$tmp/stats.out" &&
	ok kill/fetch-part-counted || fail kill/fetch-part-counted "left=$left $(grep killed "$tmp/stats.out")"
withtok run refetch fetch --dumps "$big"
[ $rc -eq 0 ] && [ "$(ls -a "$dd" | grep -c '^\.part-')" -eq 0 ] && [ "$(ls "$dd"/*.dmp | wc -l)" -eq 1 ] &&
	[ "$(wc -c <"$(ls "$dd"/*.dmp)")" -eq $((8 << 20)) ] &&
	ok kill/fetch-rerun-sweeps || fail kill/fetch-rerun-sweeps "rc=$rc $(ls -a "$dd") $(cat "$tmp/refetch.out")"
rm -f "$dd"/*.dmp
kill_fetch
run verify cache verify
[ "$(ls -a "$dd" | grep -c '^\.part-')" -eq 0 ] && grep -q "removed 1 temporary files left by killed processes" "$tmp/verify.out" &&
	ok kill/verify-sweeps || fail kill/verify-sweeps "$(ls -a "$dd") $(cat "$tmp/verify.out")"
kill_fetch
run gc cache gc --max-size 1G
[ "$(ls -a "$dd" | grep -c '^\.part-')" -eq 0 ] && grep -q "removed 1 temporary files left by killed processes" "$tmp/gc.out" &&
	ok kill/gc-sweeps || fail kill/gc-sweeps "$(ls -a "$dd" | tr "\n" " ") rc=$rc $(cat "$tmp/gc.out" "$tmp/gc.err")"
export XDG_CACHE_HOME="$keep_cache"

# ---- export --public, import and the fetch-data round trip ------------------
run export export --public $A
python3 - "$tmp/export.out" <<'PY' && ok export/public || fail export/public "$(head -20 "$tmp/export.out") $(cat "$tmp/export.err")"
import json, sys
d = json.load(open(sys.argv[1]))
p, r = d["processed"], d["raw"]
assert p["signature"].startswith("Abort"), p
for k in ("user_comments", "url", "signature_debug"):
    assert k not in p, k
for k in ("Comments", "URL", "metadata", "Email"):
    assert k not in r, k
assert r["ProductName"] == "Crashme"
t = d["processed"]["json_dump"]["threads"]
assert all("thread_id" not in th for th in t)
assert all("registers" not in f for f in d["processed"]["json_dump"]["crashing_thread"]["frames"])
PY
grep -q "it crashed while I was testing" "$tmp/export.out" && fail export/no-comment "" || ok export/no-comment

cp "$XDG_CACHE_HOME/crashdesk/crashdesk.db" "$tmp/first.db"
XDG_CACHE_HOME=$tmp/cache2 run import import "$tmp/full"
[ $rc -eq 0 ] && grep -q "imported 2 of 2 crashes: 2 raw, 2 processed, 2 dumps" "$tmp/import.out" && ok import/round-trip-count || fail import/round-trip-count "$(cat "$tmp/import.out" "$tmp/import.err")"
XDG_CACHE_HOME=$tmp/cache2 run export2 export --public $A
cmp -s "$tmp/export.out" "$tmp/export2.out" && ok import/round-trip-same-report || fail import/round-trip-same-report "$(diff "$tmp/export.out" "$tmp/export2.out" | head -5)"
[ -f "$tmp/cache2/crashdesk/dumps/$want.dmp" ] && ok import/dump-by-sha256 || fail import/dump-by-sha256 "$(ls "$tmp/cache2/crashdesk/dumps")"
XDG_CACHE_HOME=$tmp/cache3 run importex import "$fx/fetch-data-example"
[ $rc -eq 0 ] && grep -q "imported 2 of 2 crashes: 2 raw, 2 processed, 1 dumps" "$tmp/importex.out" && ok import/crashstats-tools-example || fail import/crashstats-tools-example "$(cat "$tmp/importex.out" "$tmp/importex.err")"
mkdir -p "$tmp/broken/processed_crash"
printf '{"uuid": "x",\n  "oops' >"$tmp/broken/processed_crash/$A"
XDG_CACHE_HOME=$tmp/cache3 run importbad import "$tmp/broken"
[ $rc -eq 1 ] && grep -q "processed_crash/$A:2:.*malformed JSON" "$tmp/importbad.err" && ok import/bad-json-located || fail import/bad-json-located "$(cat "$tmp/importbad.err")"

# ---- reprocess: the stored dump walked locally, compared with Socorro -------
run reprocess reprocess --symbols-path "$shared/corpus/symbols" $A
[ $rc -eq 0 ] && grep -q "^$A: [0-9]* difference" "$tmp/reprocess.out" && grep -q "^crashing thread frames:" "$tmp/reprocess.out" &&
	grep -q "^  socorro: Abort" "$tmp/reprocess.out" && grep -q "^  local: " "$tmp/reprocess.out" && ok reprocess/report || fail reprocess/report "rc=$rc $(cat "$tmp/reprocess.out" "$tmp/reprocess.err")"
run reprocessj reprocess --json --symbols-path "$shared/corpus/symbols" $A
python3 - "$tmp/reprocessj.out" <<'PY' && ok reprocess/json || fail reprocess/json "$(head -c 600 "$tmp/reprocessj.out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d["differences"], int)
assert isinstance(d["signature"]["local"], str) and d["signature"]["local"], d["signature"]
# The fixture's Socorro frames carry module_offset 0x0 (made from Breakpad's
# text); a real walk gives real offsets, so frames differ there.
assert any("module_offset" in f.get("fields", {}) for f in d["frames"]), d["frames"][:2]
PY
[ "$(db "SELECT count(*) FROM cs_reprocess WHERE crash_id='$A'")" = 1 ] && ok reprocess/stored || fail reprocess/stored ""
# With Socorro's own lists the local walk signs as Socorro did.
if [ -d "$shared/siggen-conformance/siglists" ]; then
	run reprocesssig reprocess --json --siglists "$shared/siggen-conformance/siglists" \
		--symbols-path "$shared/corpus/symbols" $A
	python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["signature"]
assert s["local"] == s["socorro"], s' "$tmp/reprocesssig.out" && ok reprocess/signature-as-socorro ||
		fail reprocess/signature-as-socorro "$(grep -A3 '"signature"' "$tmp/reprocesssig.out")"
fi
run reprocessnodump reprocess $MISSING
[ $rc -eq 1 ] && grep -q "crashdesk fetch" "$tmp/reprocessnodump.err" && ok reprocess/not-fetched || fail reprocess/not-fetched "$(cat "$tmp/reprocessnodump.err")"

# ---- the token is nowhere -------------------------------------------------------
if grep -rq "$TOKEN" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" "$tmp/cache2" "$tmp/cache3" "$tmp/full" "$tmp/pub" "$all" "$tmp/log" 2>/dev/null; then
	fail token/nowhere "$(grep -rl "$TOKEN" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" "$tmp/cache2" "$tmp/full" "$all" "$tmp/log")"
else
	ok token/nowhere
fi
grep -rqa "$WEAK" "$XDG_CACHE_HOME" "$all" && fail token/weak-nowhere "" || ok token/weak-nowhere
exit 0
