#!/bin/sh
# symserver.test.sh - symbols from a symbol server (tests/symserver.py on
# 127.0.0.1 serving ../shared/corpus/symbols): downloads, the second walk
# without requests, offline, negative cache, gzip, redirects, retries on
# 500/429/dropped connections, stalls, damaged and wrong bodies, code-id
# fallback under a path prefix, kill -9 while downloading and while
# writing the cache, `cache stats|gc|verify`.
cd "$(dirname "$0")/.." || exit 1
cd=${CRASHDESK:-build/crashdesk}
shared=${CRASHDESK_SHARED:-../shared}
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
if [ ! -d "$shared/corpus/symbols" ]; then
	echo "skip symserver: $shared/corpus is absent"
	exit 0
fi
if ! command -v python3 >/dev/null; then
	echo "skip symserver: python3 absent"
	exit 0
fi
tmp=$(mktemp -d)
spid=
stop() { [ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null; spid=; }
trap 'stop; rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/xdgcache" XDG_CONFIG_HOME="$tmp/config"
unset CRASHDESK_SYMBOLS_URL
syms="$shared/corpus/symbols"
dump="$shared/corpus/dumps/own-null_write_inline.dmp"

# start [ARGS...]: a fresh server; $url is its address, $log its request log.
start() {
	stop
	rm -f "$tmp/port" "$tmp/log"
	: >"$tmp/log"
	python3 tests/symserver.py "$syms" --port-file "$tmp/port" --log "$tmp/log" "$@" &
	spid=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	url="http://127.0.0.1:$(cat "$tmp/port")"
	log="$tmp/log"
}
requests() { wc -l <"$log" | tr -d ' '; }
# walk CACHE [ARGS...]: the dump walked to JSON with the server's symbols.
walk() {
	c=$1
	shift
	"$cd" walk --json --cache-dir "$tmp/$c" "$@" "$dump" >"$tmp/out.json" 2>"$tmp/err"
}
# same_as_ref: the walk equals the walk with every symbol file on disk
# (threads, frames, crash info, modules), except that a module no frame
# needed is not looked for on a server ("loaded" and "missing" both false,
# as rust-minidump says it), where the disk store simply had it or not.
same_as_ref() {
	python3 - "$tmp/out.json" "$tmp/ref.json" <<'PY'
import json, sys
out, ref = (json.load(open(p)) for p in sys.argv[1:3])
for m, r in zip(out.get("modules", []), ref.get("modules", [])):
    if not (m["loaded_symbols"] or m["missing_symbols"] or m["corrupt_symbols"]):
        for k in ("loaded_symbols", "missing_symbols", "corrupt_symbols", "symbol_url"):
            m[k] = r.get(k)
sys.exit(0 if out == ref else "differs")
PY
}
# same_frames_as_ref: the same crash and stacks (module statuses aside).
same_frames_as_ref() {
	python3 - "$tmp/out.json" "$tmp/ref.json" <<'PY'
import json, sys
out, ref = (json.load(open(p)) for p in sys.argv[1:3])
keys = ("crash_info", "crashing_thread", "threads")
sys.exit(0 if all(out.get(k) == ref.get(k) for k in keys) else "differs")
PY
}
# not_asked: the modules of the last walk that no frame needed.
not_asked() {
	python3 -c '
import json, sys
for m in json.load(open(sys.argv[1]))["modules"]:
    if not (m["loaded_symbols"] or m["missing_symbols"] or m["corrupt_symbols"]):
        print(m["debug_file"])' "$tmp/out.json"
}

"$cd" walk --json --cache-dir "$tmp/ref" --symbols-path "$syms" "$dump" >"$tmp/ref.json" 2>/dev/null
nmods=$("$cd" dump --json "$dump" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(len({(m["debug_file"], m["debug_id"]) for m in d["modules"] if m.get("debug_file") and m.get("debug_id")}))')

# ---- downloads, then the second walk without a request ---------------------
start
walk a --symbols-url "$url"; rc=$?
[ $rc -eq 0 ] && same_as_ref && ok download/same-as-local || fail download/same-as-local "rc=$rc $(head -c 300 "$tmp/err")"
n1=$(requests)
asked=$(cut -d/ -f2 "$log" | sort -u | wc -l)
# The JSON marks (loaded, missing) only modules the final walk looked up
# (rust-minidump's meaning); the server may also have been asked for some a
# first walk without symbols needed (a scan's candidates), never for others.
skipped=$(not_asked | wc -l)
[ "$skipped" -gt 0 ] && [ "$asked" -lt "$nmods" ] && [ "$asked" -ge $((nmods - skipped)) ] &&
	ok download/modules-no-frame-needs-not-asked ||
	fail download/modules-no-frame-needs-not-asked "$asked asked, $skipped not marked, $nmods modules"
python3 - "$tmp/out.json" "$log" <<'PY' && ok download/marked-means-requested || fail download/marked-means-requested "see above"
import json, sys
asked = {l.split("/")[1] for l in open(sys.argv[2]) if l.startswith("/")}
for m in json.load(open(sys.argv[1]))["modules"]:
    if m["loaded_symbols"] or m["missing_symbols"]:
        assert m["debug_file"] in asked, m["debug_file"]
PY
dup=$(sort "$log" | uniq -d | wc -l)
[ "$dup" -eq 0 ] && ok download/nothing-asked-twice || fail download/nothing-asked-twice "$(sort "$log" | uniq -d)"
walk a --symbols-url "$url"
n2=$(requests)
[ "$n2" -eq "$n1" ] && same_as_ref && ok second-walk/zero-requests || fail second-walk/zero-requests "$n1 then $n2"
walk a --symbols-url "$url" --verbose info
grep -q "processed result reused" "$tmp/err" && same_as_ref && ok second-walk/processed-result-reused ||
	fail second-walk/processed-result-reused "$(cat "$tmp/err")"
grep -q "linux-gate.so.*404 (remembered)" "$tmp/err" && ok why/negative-cache-said || fail why/negative-cache-said "$(cat "$tmp/err")"
ls "$tmp/a/symbols/crashme/"*/crashme.sym >/dev/null 2>&1 && ok download/stored-in-tecken-layout || fail download/stored-in-tecken-layout "$(find "$tmp/a/symbols" | head)"
[ -z "$(ls "$tmp/a/tmp")" ] && ok download/no-temporary-left || fail download/no-temporary-left "$(ls "$tmp/a/tmp")"
grep -q "no symbols for linux-gate.so.*/linux-gate.so.sym: 404" "$tmp/err" || true
# A module the walk needs answers 404: remembered, not asked again, until
# --refresh or the end of negative_ttl; symbols uploaded since then arrive.
start --rule "/libc.so.6/=404"
walk neg --symbols-url "$url"
k=$(grep -c "^/libc.so.6/" "$log")
walk neg --symbols-url "$url"
[ "$k" -ge 1 ] && [ "$(grep -c "^/libc.so.6/" "$log")" -eq "$k" ] && grep -q "libc.so.6.*404 (remembered)" "$tmp/err" &&
	ok negative-cache/needed-module-not-asked-again || fail negative-cache/needed-module-not-asked-again "$(grep libc "$log")"
start
walk neg --symbols-url "$url"
[ "$(requests)" -eq 0 ] && ok negative-cache/remembered-across-servers || fail negative-cache/remembered-across-servers "$(cat "$log")"
walk neg --symbols-url "$url" --refresh
grep -q "^/libc.so.6/.* 200" "$log" && same_as_ref && ok negative-cache/refresh-asks-again ||
	fail negative-cache/refresh-asks-again "$(cat "$log")"
# A short negative_ttl from the config file: asked again once it passed.
start --rule "/libc.so.6/=404"
walk ttl --symbols-url "$url"
start
mkdir -p "$XDG_CONFIG_HOME/crashdesk"
printf '# test\nnegative_ttl = 1\n' >"$XDG_CONFIG_HOME/crashdesk/config"
sleep 1.2
walk ttl --symbols-url "$url"
grep -q "^/libc.so.6/.* 200" "$log" && same_as_ref && ok negative-cache/expires ||
	fail negative-cache/expires "no request after the ttl: $(cat "$log")"
printf 'negative_ttl = soon\n' >"$XDG_CONFIG_HOME/crashdesk/config"
walk a --symbols-url "$url"; rc=$?
[ $rc -eq 1 ] && grep -q "config:1: negative_ttl wants seconds" "$tmp/err" && ok config/bad-value-names-line ||
	fail config/bad-value-names-line "rc=$rc $(cat "$tmp/err")"
printf 'symbols_url = %s\n' "$url" >"$XDG_CONFIG_HOME/crashdesk/config"
walk cfg
same_as_ref && [ -d "$tmp/cfg/symbols/crashme" ] && ok config/symbols-url || fail config/symbols-url "$(head -c 300 "$tmp/err")"
rm -f "$XDG_CONFIG_HOME/crashdesk/config"
CRASHDESK_SYMBOLS_URL="$url" walk env
same_as_ref && [ -d "$tmp/env/symbols/crashme" ] && ok env/symbols-url || fail env/symbols-url "$(head -c 300 "$tmp/err")"

# ---- several dumps at once: their requests share the rounds ------------------
start
set3="$shared/corpus/dumps/own-abort_assert.dmp $shared/corpus/dumps/own-fp-plugin.dmp $shared/corpus/dumps/own-threads.dmp"
"$cd" walk --json --cache-dir "$tmp/many-ref" --symbols-path "$syms" $set3 >"$tmp/many-ref.json" 2>/dev/null
"$cd" walk --json --cache-dir "$tmp/many" --symbols-url "$url" $set3 >"$tmp/many.json" 2>"$tmp/err"; rc=$?
python3 - "$tmp/many.json" "$tmp/many-ref.json" <<'PY' && ok many/same-stacks-as-local || fail many/same-stacks-as-local "rc=$rc $(head -c 300 "$tmp/err")"
import json, sys
out, ref = ([json.loads(l) for l in open(p)] for p in sys.argv[1:3])
assert len(out) == len(ref) == 3, (len(out), len(ref))
for o, r in zip(out, ref):
    for k in ("crash_info", "crashing_thread", "threads"):
        assert o.get(k) == r.get(k), k
PY
[ -z "$(sort "$log" | uniq -d)" ] && ok many/nothing-asked-twice || fail many/nothing-asked-twice "$(sort "$log" | uniq -d)"
n=$(requests)
"$cd" walk --json --cache-dir "$tmp/many" --symbols-url "$url" $set3 >/dev/null 2>&1
[ "$(requests)" -eq "$n" ] && ok many/second-walk-zero-requests || fail many/second-walk-zero-requests "$n then $(requests)"
# signature of several minidumps gathers their downloads the same way.
start
"$cd" signature --cache-dir "$tmp/many-sig" --symbols-url "$url" $set3 >"$tmp/sig-net" 2>"$tmp/err"; rc=$?
"$cd" signature --cache-dir "$tmp/many-ref" --symbols-path "$syms" $set3 >"$tmp/sig-local" 2>/dev/null
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/sig-net")" -eq 3 ] && cmp -s "$tmp/sig-net" "$tmp/sig-local" &&
	[ -z "$(sort "$log" | uniq -d)" ] && ok many/signature-same-as-local ||
	fail many/signature-same-as-local "rc=$rc $(cat "$tmp/sig-net") / $(cat "$tmp/sig-local") $(head -c 300 "$tmp/err")"

# ---- offline --------------------------------------------------------------
n=$(requests)
walk off --symbols-url "$url" --offline
miss=$(grep -c "no symbols for" "$tmp/err")
[ "$(requests)" -eq "$n" ] && [ "$miss" -eq "$nmods" ] && grep -q "not asked (offline)" "$tmp/err" &&
	ok offline/empty-cache-every-module-missing || fail offline/empty-cache "$miss of $nmods missing, $(requests) vs $n requests"
walk a --symbols-url "$url" --offline
[ "$(requests)" -eq "$n" ] && same_frames_as_ref && ok offline/uses-the-cache || fail offline/uses-the-cache "$(head -c 300 "$tmp/err")"

# ---- gzip and redirects -----------------------------------------------------
start --gzip
walk gz --symbols-url "$url"
same_as_ref && head -c 7 "$tmp/gz/symbols/crashme/"*/crashme.sym | grep -q MODULE && ok gzip/inflated-while-stored ||
	fail gzip/inflated-while-stored "$(head -c 300 "$tmp/err")"
start --rule "/libc.so.6/=redirect"
walk redir --symbols-url "$url"
same_as_ref && grep -q "^/r/libc.so.6/" "$log" && ok redirect/followed || fail redirect/followed "$(cat "$log")"

# ---- retries -------------------------------------------------------------------
start --rule "/libc.so.6/=500x2" --rule "/libstdc++.so.6/=429x1:1" --rule "/crashme/=dropx1"
t0=$(date +%s.%N)
walk retry --symbols-url "$url"
t1=$(date +%s.%N)
same_as_ref && ok retry/500-429-drop-then-ok || fail retry/500-429-drop-then-ok "$(head -c 400 "$tmp/err")"
[ "$(grep -c "^/libc.so.6/.* 500" "$log")" -eq 2 ] && [ "$(grep -c "^/libc.so.6/.* 200" "$log")" -eq 1 ] &&
	ok retry/500-retried || fail retry/500-retried "$(grep libc.so.6 "$log")"
python3 -c "import sys; sys.exit(0 if $t1 - $t0 >= 1.0 else 1)" && ok retry/retry-after-honoured ||
	fail retry/retry-after-honoured "took $t0..$t1"
# (The rules name modules the walk needs: crashme, libc.so.6, libstdc++.so.6.)
start --rule "/libc.so.6/=500" --rule "/libstdc++.so.6/=drop"
walk fail500 --symbols-url "$url"
grep -q "libc.so.6.sym: HTTP error (HTTP 500 after 4 tries)" "$tmp/err" && ok why/500-after-retries || fail why/500-after-retries "$(grep libc "$tmp/err")"
grep -q "libstdc++.so.6.sym: network error (connection dropped after 4 tries)" "$tmp/err" && ok why/dropped || fail why/dropped "$(grep libstdc "$tmp/err")"
[ ! -e "$tmp/fail500/symbols/libc.so.6" ] || [ -z "$(find "$tmp/fail500/symbols/libc.so.6" -name '*.404')" ] &&
	ok negative-cache/not-for-500 || fail negative-cache/not-for-500 "a 500 was remembered as a 404"
n=$(requests)
walk fail500 --symbols-url "$url"
[ "$(grep -c "^/libc.so.6/" "$log")" -gt 4 ] && ok retry/500-asked-again-next-walk || fail retry/500-asked-again-next-walk "$(grep -c libc "$log")"

# ---- stalls, damaged, wrong, too big ---------------------------------------
start --rule "/libc.so.6/=stall" --rule "/libstdc++.so.6/=truncgz" --rule "/crashme/=wrongid"
walk bad --symbols-url "$url" --timeout 1
grep -q "libc.so.6.sym: timeout" "$tmp/err" && ok why/stall-timeout || fail why/stall-timeout "$(grep libc "$tmp/err")"
grep -q "libstdc++.so.6.sym: damaged (truncated gzip body" "$tmp/err" && ok why/truncated-gzip || fail why/truncated-gzip "$(grep libstdc "$tmp/err")"
grep -q "crashme.sym: wrong debug id (MODULE line names debug id 0000" "$tmp/err" && ok why/wrong-debug-id || fail why/wrong-debug-id "$(grep crashme "$tmp/err")"
start --rule "/libc.so.6/=notsym"
walk bad2 --symbols-url "$url"
grep -q "libc.so.6.sym: damaged (not a symbol file" "$tmp/err" && ok why/not-a-sym-file || fail why/not-a-sym-file "$(grep libc "$tmp/err")"
left=$( (find "$tmp/bad/symbols" -name '*.sym'; find "$tmp/bad2/symbols" -name '*.sym') | grep -E "bad/.*(libc.so.6|libstdc|crashme)|bad2/.*libc.so.6")
[ -z "$left" ] && [ -z "$(find "$tmp/bad/tmp" "$tmp/bad2/tmp" -type f)" ] && ok damaged/never-cached || fail damaged/never-cached "$left $(ls "$tmp/bad/tmp")"
start
walk bad --symbols-url "$url"
same_as_ref && ok damaged/clean-rerun-gets-them || fail damaged/clean-rerun-gets-them "$(head -c 300 "$tmp/err")"
mkdir -p "$XDG_CONFIG_HOME/crashdesk"
printf 'max_download = 1K\n' >"$XDG_CONFIG_HOME/crashdesk/config"
walk big --symbols-url "$url"
grep -q "libc.so.6.sym: too big (declares [0-9]* bytes, more than the 1024 allowed)" "$tmp/err" && ok why/byte-cap || fail why/byte-cap "$(grep libc "$tmp/err")"
rm -f "$XDG_CONFIG_HOME/crashdesk/config"
# Limits hit early: a declared 5 GB body is refused on its header, a gzip
# bomb once it inflates 100 times; neither leaves anything in tmp/.
start --rule "/libc.so.6/=hugelen" --rule "/libstdc++.so.6/=bomb"
t0=$(date +%s)
walk early --symbols-url "$url"
t1=$(date +%s)
grep -q "libc.so.6.sym: too big (declares 5368709120 bytes, more than the 4294967296 allowed)" "$tmp/err" &&
	[ $((t1 - t0)) -lt 5 ] && ok why/declared-length-refused || fail why/declared-length-refused "$((t1 - t0)) s $(grep libc "$tmp/err")"
grep -q "libstdc++.so.6.sym: too big (inflates to more than 100 times its [0-9]* bytes: refused as a gzip bomb)" "$tmp/err" &&
	[ -z "$(find "$tmp/early/tmp" -type f 2>/dev/null)" ] && ok why/gzip-bomb-refused || fail why/gzip-bomb-refused "$(grep libstdc "$tmp/err") $(ls -la "$tmp/early/tmp" 2>&1)"

# ---- code file / code id under a path prefix --------------------------------------
start --prefix /try/ --rule "^/try/crashme/557E11D4B6BF94D7D6C66B9B3AFB485C0/=404"
walk code --symbols-url "$url/try/"
same_as_ref && grep -qi "^/try/crashme/D4117E55BFB6D794D6C66B9B3AFB485C03C85534/crashme.sym 302" "$log" &&
	ok code-id/fallback-under-prefix || fail code-id/fallback-under-prefix "$(grep crashme "$log")"

# ---- sym fetch: one module ------------------------------------------------------
start
"$cd" sym fetch --cache-dir "$tmp/fetch" --symbols-url "$url" libm.so.6 E3F9E6D612AFEE43D9BF5EFD366DD0150 >"$tmp/fetch.out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "/symbols/libm.so.6/E3F9E6D612AFEE43D9BF5EFD366DD0150/libm.so.6.sym" "$tmp/fetch.out" &&
	grep -q "^from $url/libm.so.6/" "$tmp/fetch.out" && ok sym-fetch/downloads || fail sym-fetch/downloads "rc=$rc $(cat "$tmp/fetch.out")"
"$cd" sym fetch --cache-dir "$tmp/fetch" --symbols-url "$url" nothing.pdb 0123456789ABCDEF0123456789ABCDEF1 >"$tmp/fetch.out" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q "nothing.sym: 404" "$tmp/fetch.out" && ok sym-fetch/missing-says-why || fail sym-fetch/missing-says-why "rc=$rc $(cat "$tmp/fetch.out")"

# ---- progress only on a terminal -----------------------------------------------
start
walk prog --symbols-url "$url"
! grep -q "symbols:" "$tmp/err" && ok progress/silent-when-not-a-terminal || fail progress/silent "$(head -c 200 "$tmp/err")"
if command -v script >/dev/null; then
	script -qec "$cd walk --json --cache-dir $tmp/prog2 --symbols-url $url $dump >/dev/null" /dev/null >"$tmp/tty" 2>&1
	grep -q "symbols: .* files" "$tmp/tty" && ok progress/on-a-terminal || fail progress/on-a-terminal "$(head -c 300 "$tmp/tty")"
else
	echo "skip progress/on-a-terminal: script(1) absent"
fi

# ---- new symbols for a missing module: processed again --------------------------
mkdir -p "$tmp/extra"
walk late --symbols-url "$url" --verbose info
cp "$tmp/out.json" "$tmp/late1.json"
# linux-gate.so has no symbols anywhere; give it a made-up file.
id=$(grep -o 'linux-gate.so [0-9A-F]\{33\}' "$tmp/err" | head -1 | cut -d' ' -f2)
mkdir -p "$tmp/extra/linux-gate.so/$id"
printf 'MODULE Linux x86_64 %s linux-gate.so\nPUBLIC 0 0 made_up_function\n' "$id" >"$tmp/extra/linux-gate.so/$id/linux-gate.so.sym"
walk late --symbols-url "$url" --symbols-path "$tmp/extra" --verbose info
! grep -q "processed result reused" "$tmp/err" && ! grep -q "no symbols for linux-gate" "$tmp/err" &&
	ok processed/new-symbols-walk-again || fail processed/new-symbols-walk-again "$(cat "$tmp/err")"

# ---- kill -9 while downloading, then a clean rerun ------------------------------------
start --rule "/libc.so.6/=stall"
"$cd" walk --json --cache-dir "$tmp/kill" --symbols-url "$url" "$dump" >/dev/null 2>&1 &
wpid=$!
i=0
while ! grep -q "^/libc.so.6/" "$log" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.2
kill -9 $wpid 2>/dev/null
wait $wpid 2>/dev/null
partial=$(ls "$tmp/kill/tmp" | wc -l)
[ ! -e "$tmp/kill/symbols/libc.so.6" ] && ok kill/mid-download-no-file || fail kill/mid-download-no-file "$(find "$tmp/kill/symbols/libc.so.6")"
start
walk kill --symbols-url "$url"; rc=$?
[ $rc -eq 0 ] && same_as_ref && [ -z "$(ls "$tmp/kill/tmp")" ] && ok kill/clean-rerun ||
	fail kill/clean-rerun "rc=$rc partial=$partial left=$(ls "$tmp/kill/tmp") $(head -c 300 "$tmp/err")"

# ---- kill -9 while writing caches (symbol caches, the database) -----------------
for delay in 0.02 0.05 0.1 0.15 0.2 0.3; do
	"$cd" walk --json --cache-dir "$tmp/kill2" --symbols-url "$url" --reprocess "$dump" >/dev/null 2>&1 &
	wpid=$!
	sleep $delay
	kill -9 $wpid 2>/dev/null
	wait $wpid 2>/dev/null
	rm -rf "$tmp/kill2/symcache"/../symcache/*.cdsym.tmp* 2>/dev/null
	# Throw away some finished caches too, so later rounds rebuild them.
	[ "$delay" = 0.1 ] && rm -f "$tmp/kill2/symcache/"*libc* 
done
walk kill2 --symbols-url "$url"; rc=$?
[ $rc -eq 0 ] && same_as_ref && ok kill/during-cache-writes-then-usable || fail kill/during-cache-writes "rc=$rc $(head -c 300 "$tmp/err")"
"$cd" cache verify --cache-dir "$tmp/kill2" >"$tmp/verify" 2>&1; rc=$?
[ $rc -eq 0 ] && ok kill/cache-verifies || fail kill/cache-verifies "rc=$rc $(cat "$tmp/verify")"

# ---- cache stats, verify, gc -------------------------------------------------
"$cd" cache stats --cache-dir "$tmp/a" >"$tmp/stats" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "downloaded symbol files: *[1-9]" "$tmp/stats" && grep -q "hit rate" "$tmp/stats" &&
	ok cache/stats || fail cache/stats "rc=$rc $(cat "$tmp/stats")"
f=$(ls "$tmp/a/symbols/libc.so.6/"*/libc.so.6.sym)
printf 'MODULE Linux x86_64 0000 libc.so.6\n' >"$f"
"$cd" cache verify --cache-dir "$tmp/a" >"$tmp/verify" 2>&1; rc=$?
[ $rc -eq 1 ] && [ ! -e "$f" ] && grep -q "libc.so.6.sym" "$tmp/verify" && ok cache/verify-removes-damaged ||
	fail cache/verify-removes-damaged "rc=$rc $(cat "$tmp/verify")"
"$cd" cache verify --cache-dir "$tmp/a" >"$tmp/verify" 2>&1; rc=$?
[ $rc -eq 0 ] && ok cache/verify-clean-after || fail cache/verify-clean-after "rc=$rc $(cat "$tmp/verify")"
"$cd" cache gc --cache-dir "$tmp/a" --max-size 3M >"$tmp/gc" 2>&1; rc=$?
total=$(du -sk "$tmp/a/symbols" "$tmp/a/symcache" | awk '{s += $1} END {print s}')
[ $rc -eq 0 ] && [ "$total" -le 3300 ] && ok cache/gc-to-max-size || fail cache/gc-to-max-size "rc=$rc ${total}K $(cat "$tmp/gc")"
"$cd" cache gc --cache-dir "$tmp/a" --max-size lots >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok cache/gc-bad-size || fail cache/gc-bad-size "rc=$rc"
# A cache in use is never removed: an open sym_cache holds a shared
# flock() on its file, as flock(1) -s does here.
c=$(ls "$tmp/a/symcache/"*.cdsym | head -1)
if [ -n "$c" ] && command -v flock >/dev/null; then
	flock -s "$c" sleep 1.5 &
	fpid=$!
	sleep 0.3
	"$cd" cache gc --cache-dir "$tmp/a" --max-size 0 >"$tmp/gc" 2>&1
	[ -e "$c" ] && grep -q "in use" "$tmp/gc" && ok cache/gc-spares-files-in-use || fail cache/gc-spares-files-in-use "$(cat "$tmp/gc")"
	wait $fpid 2>/dev/null
	"$cd" cache gc --cache-dir "$tmp/a" --max-size 0 >"$tmp/gc" 2>&1
	[ ! -e "$c" ] && [ -z "$(find "$tmp/a/symbols" -name '*.sym')" ] && ok cache/gc-to-zero || fail cache/gc-to-zero "$(cat "$tmp/gc")"
else
	echo "skip cache/gc-spares-files-in-use: flock(1) absent"
fi
# ---- signature of a minidump, its symbols from the server ---------------------
start
want=$("$cd" signature --cache-dir "$tmp/sigref" --symbols-path "$syms" "$dump" 2>/dev/null)
got=$("$cd" signature --cache-dir "$tmp/sigurl" --symbols-url "$url" "$dump" 2>"$tmp/err"); rc=$?
[ $rc -eq 0 ] && [ -n "$want" ] && [ "$got" = "$want" ] && [ "$(requests)" -gt 0 ] &&
	ok signature/symbols-url || fail signature/symbols-url "rc=$rc want '$want' got '$got' $(head -c 300 "$tmp/err")"
# ---- the same document whatever the cache already holds ----------------------
# Cold; after `sym fetch` of every module but the one the server lacks
# (linux-gate.so); after `sym prefetch`; each with a cache of its own, and
# the second run of the cold one reusing its stored result.
pd="$shared/corpus/dumps/own-plugin.dmp"
XDG_CACHE_HOME="$tmp/same1" "$cd" walk --json --symbols-url "$url" "$pd" >"$tmp/same1.json" 2>"$tmp/same1.err"
XDG_CACHE_HOME="$tmp/same1" "$cd" walk --json --symbols-url "$url" "$pd" >"$tmp/same1b.json" 2>/dev/null
python3 -c "
import json, sys
for m in json.load(open(sys.argv[1]))['modules']:
    if m['filename'] != 'linux-gate.so': print(m['debug_file'], m['debug_id'])" "$tmp/same1.json" |
	while read -r f i; do XDG_CACHE_HOME="$tmp/same2" "$cd" sym fetch --symbols-url "$url" "$f" "$i" >/dev/null 2>&1; done
XDG_CACHE_HOME="$tmp/same2" "$cd" walk --json --symbols-url "$url" "$pd" >"$tmp/same2.json" 2>"$tmp/same2.err"
XDG_CACHE_HOME="$tmp/same3" "$cd" sym prefetch --symbols-url "$url" "$pd" >/dev/null 2>&1
XDG_CACHE_HOME="$tmp/same3" "$cd" walk --json --symbols-url "$url" "$pd" >"$tmp/same3.json" 2>/dev/null
python3 - "$tmp/same1.json" <<'PY' && cmp -s "$tmp/same1.json" "$tmp/same1b.json" && cmp -s "$tmp/same1.json" "$tmp/same2.json" &&
import json, sys
m = {x['filename']: x for x in json.load(open(sys.argv[1]))['modules']}
assert m['linux-gate.so']['missing_symbols'] is True and m['libc.so.6']['loaded_symbols'] is True, m['linux-gate.so']
PY
	cmp -s "$tmp/same1.json" "$tmp/same3.json" && grep -q "no symbols for linux-gate.so" "$tmp/same2.err" &&
	ok walk/same-whatever-cached || fail walk/same-whatever-cached "$(python3 tests/rmcompare.py -v json "$tmp/same1.json" "$tmp/same2.json" | head -5) $(python3 tests/rmcompare.py -v json "$tmp/same1.json" "$tmp/same3.json" | head -5)"
stop
exit 0
