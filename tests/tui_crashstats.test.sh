#!/bin/sh
# tui_crashstats.test.sh - the workstation's Crash Stats side as a person
# uses it, against the fake Crash Stats (tests/crashstats_server.py): a
# search typed at the S prompt, its results and facets, a result opened
# (fetched on the worker, then read from the store), its annotations
# described, the compare-with-Socorro pane, re-signing the search's
# crashes, and the same crash opened again with the server gone. The API
# token must never be on the screen nor in the cache or config directories.
cd "$(dirname "$0")/.." || exit 1
cd=$(pwd)/${CRASHDESK:-build/crashdesk}
case ${CRASHDESK:-} in /*) cd=$CRASHDESK ;; esac
shared=${CRASHDESK_SHARED:-../shared}
fx=$shared/crashstats-fixtures
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

if ! command -v tmux >/dev/null; then
	echo "skip tui_crashstats: tmux is not installed (make deps installs it)"
	exit 0
fi
if ! command -v python3 >/dev/null; then
	echo "skip tui_crashstats: python3 absent"
	exit 0
fi
if [ ! -d "$fx" ] || [ ! -d "$shared/corpus/dumps" ]; then
	echo "skip tui_crashstats: $fx or $shared/corpus is absent"
	exit 0
fi
tmp=$(mktemp -d)
sock="crashdesk-cstest-$$"
sp=
stop() { [ -n "$sp" ] && kill "$sp" 2>/dev/null && wait "$sp" 2>/dev/null; sp=; }
trap 'stop; tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
TOKEN=cdTuiToken-5e8d1c2b7a
export XDG_CACHE_HOME="$tmp/cache" XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state"
export CRASHDESK_CRASHSTATS_BACKOFF_MS=20
unset CRASHDESK_CRASHSTATS_URL
mkdir -p "$tmp/config"
seen="$tmp/screens" # every screen captured, searched for the token at the end
: >"$seen"

cols=140
. tests/tmux_lib.sh
server() {
	stop
	rm -f "$tmp/port"
	python3 tests/crashstats_server.py --fixtures "$fx" --dumps "$shared/corpus/dumps" \
		--port-file "$tmp/port" --log "$tmp/log" --token "$TOKEN" "$@" &
	sp=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	url="http://127.0.0.1:$(cat "$tmp/port")"
}

A=2fa91425-cb00-8853-9d2c-67eda1261111 # own-abort_assert.dmp: Abort, SIGABRT, URL and Comments

# The Bugs API answers two bugs for A's signature (the fixture's bugs are
# of other signatures).
sigA=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["signature"])' "$fx/$A.processed.json")
python3 -c 'import json,sys; json.dump({"hits": [{"id": 1700001, "signature": sys.argv[1]}, {"id": 1700002, "signature": sys.argv[1]}, {"id": 1700001, "signature": sys.argv[1]}], "total": 3}, open(sys.argv[2], "w"))' "$sigA" "$tmp/bugs.json"
server --bugs "$tmp/bugs.json"
run="CRASHDESK_CRASHSTATS_URL='$url' CRASHSTATS_API_TOKEN='$TOKEN' TERM=xterm-256color '$cd' open --symbols-path '$shared/corpus/symbols'"
start "$run"
check home/search-row "Search Crash Stats"

# ---- a search typed as crashdesk search takes it ---------------------------
keys S
check search/prompt "Crash Stats search:"
keys -l -- "--product=Crashme --_facets=version"
keys Enter
check search/results "6 of 6 crashes"
check search/hit "$A"
if screen | grep -F "$A" | grep -qF "Abort"; then ok search/hit-signature; else fail search/hit-signature "$(screen)"; fi
keys Tab
check facets/pane "Facets: --product=Crashme"
check facets/term "version"
if screen | grep -E '^ +6 +1\.0' >/dev/null || screen | grep -qE '6 +1\.0'; then ok facets/count; else fail facets/count "$(screen)"; fi
keys Tab
check facets/back "6 of 6 crashes"

# ---- a result opened: fetched on the worker, shown in the report panes ------
keys / ; keys -l "$A" ; keys Enter
keys Enter
check open/summary "Socorro sig" 20
check open/signature "Abort | crashme.cc:38"
check open/reason "SIGABRT"
check open/dump-stored "/dumps/"
# The signature's bugs, a row each with its address, in the API's order,
# each once.
check open/bugs "1700001  https://bugzilla.mozilla.org/show_bug.cgi?id=1700001"
s=$(screen)
b1=$(printf '%s\n' "$s" | grep -n "^ *Bugs .*1700001  https://bugzilla" | cut -d: -f1)
b2=$(printf '%s\n' "$s" | grep -n "1700002  https://bugzilla" | cut -d: -f1)
[ -n "$b1" ] && [ -n "$b2" ] && [ $((b1 + 1)) -eq "$b2" ] &&
	[ "$(printf '%s\n' "$s" | grep -c "id=1700001")" -eq 1 ] && ok open/bugs-in-order ||
	fail open/bugs-in-order "$s"
keys a
check annotations/described "Name of the application that crashed"
check annotations/protected "[protected]"
keys r

# ---- compare with Socorro: the stored dump walked locally ------------------
keys c
check compare/pane "differences" 30
check compare/heading "Socorro's processing"
check compare/signature "Signature:"
check compare/frames "Crashing thread frames:"
keys q

# ---- the tuning pane re-signs the search's crashes -------------------------
keys q
check back/results "6 of 6 crashes"
keys T
check tuning/search-row "crashes of the Crash Stats search"
keys / "of the Crash Stats search" Enter
keys Enter
check tuning/resigned "of the search re-signed"
keys Q
check quit/clean "EXITED 0"

# ---- opened again with the server gone: from the store ---------------------
stop
start "$run"
check offline/home "crashstats $A"
keys /
keys -l "crashstats $A"
keys Enter Enter
check offline/summary "Socorro sig" 10
check offline/reason "SIGABRT"
check offline/bugs "1700002  https://bugzilla.mozilla.org/show_bug.cgi?id=1700002"
keys Q
check offline/quit "EXITED 0"
grep -c "/api/ProcessedCrash/" "$tmp/log" | grep -qx 1 && ok offline/no-refetch ||
	fail offline/no-refetch "$(grep -c ProcessedCrash "$tmp/log") ProcessedCrash requests"
grep -c "/api/Bugs/" "$tmp/log" | grep -qx 1 && ok bugs/asked-once ||
	fail bugs/asked-once "$(grep -c /api/Bugs/ "$tmp/log") Bugs requests"

# ---- without a token: the dump is reported unavailable, compare says why ---
server
norun="CRASHDESK_CRASHSTATS_URL='$url' TERM=xterm-256color '$cd'"
start "$norun"
check notoken/home "Search Crash Stats"
keys S
keys C-u
keys -l -- "--product=Crashme --signature=~storage"
keys Enter
check notoken/results "of 2 crashes" 10
keys j Enter
check notoken/summary "Socorro sig" 20
check notoken/dump-note "API token"
keys c
check notoken/compare "cannot compare" 10
check notoken/compare-why "no minidump" 10
keys Q
check notoken/quit "EXITED 0"

# ---- a bad query is refused on the status line -----------------------------
start "$norun"
keys S
keys -l -- "product=Crashme"
keys Enter
check badquery/refused "search:"
keys Q

# ---- the token is nowhere ------------------------------------------------
if grep -qF "$TOKEN" "$seen"; then fail token/screen "the token was on screen"; else ok token/screen; fi
if grep -rqF "$TOKEN" "$tmp/cache" "$tmp/config" 2>/dev/null; then
	fail token/files "$(grep -rlF "$TOKEN" "$tmp/cache" "$tmp/config")"
else ok token/files; fi
