#!/bin/sh
# tui.test.sh - the workstation as a person uses it: tmux runs crashdesk,
# send-keys types, capture-pane reads the screen, and each check is on what
# is shown.
cd "$(dirname "$0")/.." || exit 1
cd=$(pwd)/${CRASHDESK:-build/crashdesk}
case ${CRASHDESK:-} in /*) cd=$CRASHDESK ;; esac
shared=${CRASHDESK_SHARED:-../shared}
build=$(dirname "$cd")
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

if ! command -v tmux >/dev/null; then
	echo "skip tui: tmux is not installed (make deps installs it)"
	exit 0
fi
tmp=$(mktemp -d)
sock="crashdesk-test-$$"
trap 'tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache" XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state"

. tests/tmux_lib.sh

# ---- the sample crash the project generates ----------------------------------
mkdir -p "$tmp/sample"
"$build/tests/mksample" "$tmp/sample" >/dev/null 2>&1
# ---- refusing without a terminal --------------------------------------------
"$cd" open "$tmp/sample/sample.dmp" >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
[ $rc -ne 0 ] && grep -q "crashdesk walk" "$tmp/err" && ok no-terminal/refused ||
	fail no-terminal/refused "rc=$rc $(cat "$tmp/err")"

if [ -f "$tmp/sample/sample.dmp" ]; then
	start "TERM=xterm-256color '$cd' open --symbols-path '$tmp/sample/symbols' '$tmp/sample/sample.dmp'"
	check sample/summary "SIGSEGV"
	keys t
	check sample/threads "Threads"
	# A wide-character thread name keeps the columns aligned: the frame
	# count (right-aligned) ends in the header's "Frames" cell on every row,
	# the wide characters counting two cells as the terminal shows them.
	if wait_for "画像" 5; then
		bad=$(screen | python3 -c '
import sys, unicodedata
def cells(s):
    out = []
    for c in s:
        if unicodedata.combining(c): continue
        out.append(c)
        if unicodedata.east_asian_width(c) in "WF": out.append("")
    return out
lines = [cells(l.rstrip("\n")) for l in sys.stdin]
head = "".join(c for c in lines[1])
end = len(cells(head[:head.index("Frames") + 6]))
rows = [l for l in lines[2:-1] if len(l) > end]
print(sum(1 for l in rows if not (l[end - 1].isdigit() and l[end] == " ")), len(rows))')
		[ "$bad" = "0 5" ] && ok sample/wide-name-aligned ||
			fail sample/wide-name-aligned "misaligned rows, of all: $bad
$(screen)"
	else
		fail sample/wide-name-shown "$(screen)"
	fi
	# Mouse (SGR reports, as xterm sends them): a click on the fourth
	# line selects the third thread; the wheel scrolls down by three.
	keys -l "$(printf '\033[<0;10;5M\033[<0;10;5m')"
	check mouse/click-selects "3/5"
	keys -l "$(printf '\033[<65;10;5M')"
	check mouse/wheel-scrolls "5/5"
	keys a
	check sample/annotation-described "Name of the application that crashed"
	s=$(screen)
	printf '%s\n' "$s" | grep "^Comments" | grep -q "\[protected\]" && ok sample/annotation-protected-marked ||
		fail sample/annotation-protected-marked "$s"
	keys u
	check sample/unloaded-module "libplugin.so"
	keys Enter
	check sample/frames-into-unloaded "thread 4 frame 0"
	keys q m
	check sample/symbol-source "/symbols"
	keys q
	check sample/quit "EXITED 0"
else
	echo "skip sample: mksample did not write a sample"
fi

if [ ! -d "$shared/corpus/dumps" ]; then
	echo "skip tui/corpus: $shared/corpus is absent"
	exit 0
fi
dumps="$(cd "$shared/corpus/dumps" && pwd)"
dump="$dumps/own-fp-null_write_inline.dmp"
syms="$(cd "$shared/corpus/symbols" && pwd)"

# ---- one crash, pane by pane ----------------------------------------------------
start "TERM=xterm-256color '$cd' open --symbols-path '$syms' '$dump'"
check open/crash-reason "SIGSEGV / SEGV_MAPERR"
check open/crashing-function "storage::flush"
# Times as Crash Stats' report page shows them: a date, an age in words.
want_time=$(python3 -c 'import datetime; print(datetime.datetime.fromtimestamp(1790000004, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"))')
s=$(screen)
printf '%s\n' "$s" | grep -q "^Crash time  *$want_time" && printf '%s\n' "$s" | grep -q "^Uptime  *1 h 8 min (4095 s)" &&
	ok summary/readable-times || fail summary/readable-times "$s"
# The crash address analysis on the summary, under the crash address and
# in --human's order: adjusted address, instruction, its memory access.
s=$(screen)
printf '%s\n' "$s" | awk '/Crash address/ { a = NR } /Adjusted address .*null pointer/ { b = NR }
	/Instruction .*mov dword \[/ { c = NR } /Memory accessed .*write/ { d = NR } /^ *Modules/ { e = NR }
	END { exit !(a && a < b && b < c && c < d && d < e) }' && ok open/crash-analysis-in-order ||
	fail open/crash-analysis-in-order "$s"
keys f
check frames/pane "[+2] storage::flush"
# The module offset of each frame, as the report page lists it.
screen | grep "storage::flush" | grep -q "crashme-fp  *0x3bf3" && ok frames/module-offset ||
	fail frames/module-offset "$(screen)"
# The signature pane numbers frames as the frames pane does (inline frames
# first, each its own number) and says which tool made it in words.
keys s
if wait_for "storage::store_cell" 5; then
	sp=$(screen)
	printf '%s\n' "$sp" | awk '/^ +0 storage::store_cell/ { a = NR } /^ +1 storage::fill_block/ { b = NR }
		/^ +2 storage::flush/ { c = NR } END { exit !(a && a < b && b < c) }' &&
		printf '%s\n' "$sp" | grep -q "set by SignatureGenerationRule, from the C/C++ frames" &&
		ok signature/numbers-and-wording || fail signature/numbers-and-wording "$sp"
else
	fail signature/numbers-and-wording "$(screen)"
fi
keys f
check frames/pane-again "[+2] storage::flush"
# The title says which dump and which thread the frames are of.
screen | head -1 | grep "own-fp-null_write_inline.dmp  thread 0" | grep -q "Frames" && ok frames/title-says-thread ||
	fail frames/title-says-thread "$(screen | head -1)"
if screen | grep -qF "storage::store_cell"; then
	fail frames/folded "inline frames shown before unfolding"
else
	ok frames/folded
fi
keys i
check frames/unfolded "storage::store_cell"
s=$(screen)
a=$(printf '%s\n' "$s" | grep -n "storage::store_cell" | head -1 | cut -d: -f1)
b=$(printf '%s\n' "$s" | grep -n "storage::fill_block" | head -1 | cut -d: -f1)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] && ok frames/store_cell-above-fill_block ||
	fail frames/store_cell-above-fill_block "store_cell at line $a, fill_block at $b:
$s"
# Breakpad's order and numbers: the inline frames 0 and 1, then the real
# frame storage::flush as 2 (it used to be drawn above its inlines).
printf '%s\n' "$s" | awk '/^ *0 .*storage::store_cell/ { a = NR } /^ *1 .*storage::fill_block/ { b = NR }
	/^ *2 .*storage::flush/ { c = NR } END { exit !(a && a < b && b < c) }' &&
	ok frames/breakpad-order-and-numbers || fail frames/breakpad-order-and-numbers "$s"
keys i
wait_gone "storage::store_cell" && ok frames/fold-again || fail frames/fold-again "$(screen)"

# Details of frame 0: registers, the inline chain with its call sites, the stack.
keys g Enter
check details/registers "rip"
check details/inline-chain "called from"
check details/stack "around the stack pointer"
keys BSpace
check details/back "[+2] storage::flush"

keys m
check modules/pane "Debug"
check modules/missing "missing"
s=$(screen)
printf '%s\n' "$s" | grep "crashme-fp" | grep -q "loaded" && ok modules/loaded-shown ||
	fail modules/loaded-shown "$s"

keys t
check threads/pane "Top function"
first=$(screen | sed -n 3p)
# The top function is the one that was running: the innermost inline one.
case $first in crashed*storage::store_cell*) ok threads/crashed-first-and-marked ;;
	*) fail threads/crashed-first-and-marked "first row: $first" ;; esac
keys a
check annotations/pane "ProductName"
keys /
keys "Version" Enter
check annotations/search "Version"

keys '?'
check help/overlay "Keys of this pane (Annotations)"
check help/lists-keys "Search"
# A box around it (tmux shows the line-drawing characters as such), its
# inside cleared: the annotations behind do not show through.
hs=$(screen)
printf '%s\n' "$hs" | grep -q "[┌+].*[─-].*[┐+]" && printf '%s\n' "$hs" | grep -q "[└+].*[─-].*[┘+]" &&
	ok help/boxed || fail help/boxed "$hs"
keys Escape
wait_gone "Keys of this pane" && ok help/closed-by-esc || fail help/closed-by-esc "$(screen)"

# Resizing redraws at the new size, down to 40x10.
keys f
check resize/before "storage::flush"
tm resize-window -t t -x 40 -y 10
sleep 0.3
s=$(screen)
# Every line fits the 40 cells (counted as the terminal counts them).
long=$(tm capture-pane -p -N -t t | python3 -c '
import sys, unicodedata
def w(s): return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(sum(1 for l in sys.stdin if w(l.rstrip("\n")) > 40))')
printf '%s\n' "$s" | grep -q "storage" && [ "$long" = 0 ] && ok resize/40x10 ||
	fail resize/40x10 "$long lines too long: $s"
tm resize-window -t t -x 120 -y 40
check resize/back "storage::flush"
# Small, G on the summary, grown back: the top rows are shown again.
keys r
check resize/summary "Crash reason"
tm resize-window -t t -x 40 -y 12
sleep 0.3
keys G
sleep 0.2
tm resize-window -t t -x 120 -y 40
sleep 0.3
screen | sed -n 3p | grep -q "^Dump " && ok resize/grown-shows-top ||
	fail resize/grown-shows-top "$(screen)"

# The search prompt: C-u clears what is typed; a search that goes past the
# end says it wrapped.
keys /
keys -l "storage"
keys C-u
keys -l "Crash reason"
keys Enter
sleep 0.2
keys n
sleep 0.2
screen | tail -1 | grep -q "search wrapped to the top" && ok search/wrap-said ||
	fail search/wrap-said "$(screen | tail -1)"
keys f
check search/back-to-frames "storage::flush"

# Copy with OSC 52 lands in tmux's paste buffer.
keys g y
sleep 0.3
tm show-buffer 2>/dev/null | grep -q "storage::flush" && ok copy/osc52 ||
	fail copy/osc52 "buffer: $(tm show-buffer 2>&1)"

keys q
check quit/clean-terminal "EXITED 0"
s=$(screen)
printf '%s\n' "$s" | grep -q "Summary" && fail quit/screen-restored "$s" || ok quit/screen-restored

# ---- the home pane: what was opened before ------------------------------------------
start "TERM=xterm-256color '$cd'"
check home/recent "own-fp-null_write_inline.dmp"
check home/recent-crash "SIGSEGV / SEGV_MAPERR"
keys j Enter
check home/reopen "Crashing thread"
keys q
check home/back "Open a dump or a directory"
keys g Enter
check home/prompt "open:"
# A dump deep in a long directory: the list cuts the path's start, so its
# file name stays in sight whatever the width.
long="$tmp/sample/a-directory-name-long-enough/to-push-the-file-name/past-the-column-width-of-the-home-pane"
mkdir -p "$long" && cp "$tmp/sample/sample.dmp" "$long/deep-sample.dmp"
keys "$long/deep-sample.dmp" Enter
check home/opened "IPC I/O Parent"
keys q q
check home/quit "EXITED 0"
start "TERM=xterm-256color '$cd'"
check home/long-path-keeps-file-name "deep-sample.dmp"
keys q
check home/long-path-quit "EXITED 0"

# ---- symbols from a server, fetched in the background ------------------------------
if command -v python3 >/dev/null; then
	python3 tests/symserver.py "$syms" --port-file "$tmp/port" --log "$tmp/srvlog" \
		--latency 400 >/dev/null 2>&1 &
	spid=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	url="http://127.0.0.1:$(cat "$tmp/port")"
	start "XDG_CACHE_HOME='$tmp/netcache' TERM=xterm-256color '$cd' open --symbols-url '$url' '$dump'"
	# At once, what is on disk (no symbols yet); the download on the status line.
	check net/shown-at-once "crashme-fp+0x3bf3" 5
	check net/progress-on-status-line "symbols for own-fp-null_write_inline.dmp" 5
	check net/frames-fill-in "storage::flush" 15
	keys m
	# the server's address, its end shown when the column is narrow
	check net/source-is-the-server ":$(cat "$tmp/port")"
	# linux-gate.so is asked for once the walk reaches it (a later round,
	# after libc's symbols came); the server has nothing for it
	wait_for "missing" 15
	keys G k Enter
	check net/why-missing "404"
	n1=$(wc -l <"$tmp/srvlog")
	keys BSpace R
	check net/retry-said "asking the servers again for linux-gate.so"
	i=0
	while [ "$(wc -l <"$tmp/srvlog")" -le "$n1" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ "$(wc -l <"$tmp/srvlog")" -gt "$n1" ] && ok net/retry-asks-again ||
		fail net/retry-asks-again "no new request after R: $(tail -3 "$tmp/srvlog")"
	# A module no frame needs is not asked for; R asks for it all the same.
	s=$(screen)
	printf '%s\n' "$s" | grep "libm.so.6" | grep -q "not asked" && ! grep -q "^/libm.so.6/" "$tmp/srvlog" &&
		ok net/unneeded-module-not-asked || fail net/unneeded-module-not-asked "$s"
	keys g j j Enter
	check net/why-not-asked "no frame needed this module"
	keys BSpace R
	check net/retry-unneeded "asking the servers again for libm.so.6"
	i=0
	until screen | grep "libm.so.6" | grep -q "loaded" || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done
	screen | grep "libm.so.6" | grep -q "loaded" && grep -q "^/libm.so.6/.* 200" "$tmp/srvlog" &&
		ok net/unneeded-module-fetched-on-request || fail net/unneeded-module-fetched-on-request "$(screen)"
	keys q
	check net/quit "EXITED 0"
	kill $spid 2>/dev/null
else
	echo "skip net: python3 is absent"
fi

# ---- a stack cut at the walk's limit says so, as its last row ----------------------
start "TERM=xterm-256color CRASHDESK_MAX_FRAMES=1024 '$cd' open --symbols-path '$syms' '$dumps/own-recurse-stack_overflow.dmp'"
if wait_for "Crash reason" 10; then
	keys f G
	if wait_for "stack cut after 1024 frames" 5; then
		last=$(screen | grep -n "recurse\|stack cut" | tail -1)
		case $last in *"stack cut after 1024 frames"*) ok frames/cut-stack-said-last ;;
			*) fail frames/cut-stack-said-last "not the last row: $(screen)" ;; esac
	else
		fail frames/cut-stack-said-last "$(screen)"
	fi
else
	fail frames/cut-stack-said-last "no summary: $(screen)"
fi
keys q

# ---- Crashpad's annotations: in the annotations pane, and the exception in
# the summary ------------------------------------------------------------------------
start "TERM=xterm-256color '$cd' open '$dumps/bp-minidump_crashpad_annotation.dmp'"
check crashpad/summary-exception "NSRangeException: *** -[__NSArray0 objectAtIndex:]"
keys a
if wait_for "crashpad: exceptionName" 5; then
	s=$(screen)
	printf '%s\n' "$s" | grep "crashpad: exceptionName" | grep "NSRangeException" | grep -q "annotation object of ios_cras" &&
		printf '%s\n' "$s" | grep "crashpad: plat" | grep -q "iOS" && ok crashpad/annotations-pane ||
		fail crashpad/annotations-pane "$s"
else
	fail crashpad/annotations-pane "$(screen)"
fi
# Enter shows the row whole: the long reason cut in its column (the fifth
# row), wrapped.
keys g j j j j Enter
if wait_for "Description      Crashpad annotation object of ios_crash_xcuitests" 5; then
	s=$(screen)
	printf '%s\n' "$s" | tr -s ' ' | tr -d '\n' | grep -qF "*** -[__NSArray0 objectAtIndex:]: index 42 beyond bounds for empty NSArray" &&
		ok row/whole-on-enter || fail row/whole-on-enter "$s"
else
	fail row/whole-on-enter "$(screen)"
fi
# Module versions on every OS the dump records them for: the modules pane
# shows walk --json's version on the module's row (iOS here, Windows below).
keys m
check modules/version-ios "Foundation"
screen | grep -E "^ *Foundation " | grep -qF "1953.255.0.0" && ok modules/version-ios-shown ||
	fail modules/version-ios-shown "$(screen)"
keys q
start "TERM=xterm-256color '$cd' open '$dumps/bp-ascii_read_av.dmp'"
check modules/win-start "EXCEPTION_ACCESS_VIOLATION"
keys m
check modules/version-win "kernel32.dll"
s=$(screen)
printf '%s\n' "$s" | grep -E "^ *ntdll.dll " | grep -qF "6.1.7600.16559" &&
	printf '%s\n' "$s" | grep -E "^ *msvcr90d.dll " | grep -qF "9.0.30729.4148" && ok modules/version-win-shown ||
	fail modules/version-win-shown "$s"
keys q q

# ---- an empty pane says so ------------------------------------------------------------
start "TERM=xterm-256color '$cd' open '$dumps/rm-invalid-range.dmp'"
if wait_for "Crash reason" 10; then
	keys t
	check empty/says-so "(nothing to show)"
	keys F
	keys -l "zzzz-no-such"
	keys Enter
else
	fail empty/says-so "$(screen)"
fi
keys q

# ---- a damaged dump: the damage and its offsets in the summary, in order ------------
start "TERM=xterm-256color '$cd' open '$dumps/rm-invalid-range.dmp'"
if wait_for "Problems" 10; then
	s=$(screen)
	printf '%s\n' "$s" | awk '/^Status +OK, damaged: / { a = NR }
		/^Problems +unknown at 0x0000000000020000: stream of 262158 bytes at 0x20000 is outside/ { b = NR }
		END { exit !(a && a < b) }' && ok damaged/problems-in-summary || fail damaged/problems-in-summary "$s"
else
	fail damaged/problems-in-summary "$(screen)"
fi
keys q

# ---- the signature whole, at 80 columns ---------------------------------------------
# Socorro's signature of own-abort_assert is 110 characters: the summary
# shows it whole at 80 columns, a frame of it a row (wrapped where one
# frame is wider than the pane), in order: read back, it is the signature
# `crashdesk signature` prints.
sig=$("$cd" signature --symbols-path "$syms" "$dumps/own-abort_assert.dmp")
cols=80 start "TERM=xterm-256color '$cd' open --symbols-path '$syms' '$dumps/own-abort_assert.dmp'"
if wait_for "Crash reason" 10; then
	s=$(screen)
	# At 80 columns the dump's name stays in the title, with the current tab.
	printf '%s\n' "$s" | head -1 | grep "own-abort_assert.dmp" | grep -q "Summary" && ok title/name-at-80-columns ||
		fail title/name-at-80-columns "$(printf '%s\n' "$s" | head -1)"
	got=$(printf '%s\n' "$s" | python3 -c '
import sys
lines = sys.stdin.read().split("\n")
out, on = [], False
for l in lines:
    key, val = l[:17].strip(), l[17:].rstrip()
    if key == "Signature":
        on = True
    elif key:
        on = False
    if not on:
        continue
    if not out or val.startswith("| "):
        out.append(val[2:] if val.startswith("| ") else val)
    else:
        out[-1] += " " + val
print(" | ".join(out))')
	[ "$got" = "$sig" ] && ok summary/signature-whole || fail summary/signature-whole "read back: $got
want: $sig
$s"
else
	fail summary/signature-whole "no summary: $(screen)"
fi
keys q

# ---- a directory of dumps: the crash list ------------------------------------------
mkdir -p "$tmp/dir"
for f in own-fp-null_write_inline own-abort_assert own-fp-plugin; do
	ln -s "$dumps/$f.dmp" "$tmp/dir/$f.dmp"
	[ -f "$dumps/$f.extra" ] && ln -s "$dumps/$f.extra" "$tmp/dir/$f.extra"
done
# The same crash twice (its annotations too): a bucket of two.
ln -s "$dumps/own-abort_assert.dmp" "$tmp/dir/twin.dmp"
ln -s "$dumps/own-abort_assert.extra" "$tmp/dir/twin.extra"
start "TERM=xterm-256color '$cd' open --symbols-path '$syms' '$tmp/dir'"
check list/rows "own-fp-plugin.dmp"
check list/reasons "SIGABRT"
# Each crash's signature is a column; b groups them, the biggest bucket
# first with its count, its crashes under it.
check list/signature-column "Abort | crashme.cc:"
wait_gone "walking" >/dev/null
keys b
check list/grouped "grouped by signature"
s=$(screen)
first=$(printf '%s\n' "$s" | sed -n 3p)
printf '%s\n' "$first" | grep -q "2 crashes" && printf '%s\n' "$first" | grep -q "Abort | crashme.cc" &&
	printf '%s\n' "$s" | sed -n 4,5p | grep -cE "own-abort_assert.dmp|twin.dmp" | grep -qx 2 &&
	printf '%s\n' "$s" | sed -n 6p | grep -q "1 crash " && ok list/buckets-biggest-first ||
	fail list/buckets-biggest-first "$s"
keys b
check list/ungrouped "one row per dump"
keys F
keys "own-abort" Enter
check list/filter "1 rows match"
screen | tail -1 | grep -q "filter: own-abort" && ok list/filter-in-force-said || fail list/filter-in-force-said "$(screen | tail -1)"
keys Enter
check list/open-crash "SIGABRT"
# J: the processed crash as JSON, in the document's order, a tab of its own.
keys J
check json/pane '"crash_info": {'
s=$(screen)
printf '%s\n' "$s" | head -1 | grep -qE " JSON( |$)" && printf '%s\n' "$s" | sed -n 3p | grep -qx "{ *" &&
	printf '%s\n' "$s" | sed -n 4p | grep -q '^  "status": "OK",' && ok json/document-order ||
	fail json/document-order "$s"
keys q
check list/back "own-abort_assert.dmp"
keys q
check list/quit "EXITED 0"

# ---- the signature and its tuning -----------------------------------------------------
# An "editor" that makes storage::store_cell irrelevant, as a person would.
printf '#!/bin/sh\nfor last; do :; done\necho "storage::store_cell" >>"$last"\n' >"$tmp/editor"
chmod +x "$tmp/editor"
"$cd" walk --json --symbols-path "$syms" "$dump" >/dev/null 2>&1
start "EDITOR='$tmp/editor' TERM=xterm-256color '$cd' open --symbols-path '$syms' '$dump'"
check sig/start "SIGSEGV / SEGV_MAPERR"
keys s
check sig/signature "Signature: storage::store_cell"
s=$(screen)
printf '%s\n' "$s" | grep "storage::store_cell" | grep -q "kept" &&
	printf '%s\n' "$s" | grep "storage::flush" | grep -q "not-reached" && ok sig/frame-fates ||
	fail sig/frame-fates "$s"
keys T
check tuning/pane "Re-sign"
keys j Enter
check tuning/working-copy "crashdesk/siglists"
keys G Enter
check tuning/changed-bucket "storage::store_cell  ->  storage::fill_block"
keys G Enter
check tuning/crashes-of-change "own-fp-null_write_inline.dmp"
keys Enter
check tuning/open-crash "Summary"
keys s
check tuning/new-signature "Signature: storage::fill_block"
s=$(screen)
printf '%s\n' "$s" | grep "storage::store_cell" | grep "irrelevant" | grep -q "_re.txt:[0-9]" &&
	ok sig/list-line-shown || fail sig/list-line-shown "$s"
# The cache's crashes re-signed too (resig --cache's engine): the dump
# walked with walk --json above is there, named by the path it was opened at.
keys T
check tuning/again "Re-sign"
keys / "in the cache" Enter Enter
check tuning/cache-resigned "of the cache re-signed"
# The tuning pane's title says what it is.
screen | head -1 | grep -q "crashdesk  signature tuning" && ok tuning/title || fail tuning/title "$(screen | head -1)"
keys G Enter
check tuning/cache-change-crash "own-fp-null_write_inline.dmp"
keys Q
check sig/quit "EXITED 0"
rm -rf "$tmp/config/crashdesk"

# ---- a broken user view: reported with its line, the default stays ---------------
mkdir -p "$tmp/config/crashdesk"
printf 'title: Frames\ncolumns:\n  - {title: X, field: nosuchfield, width: 4}\n' \
	>"$tmp/config/crashdesk/frames.yaml"
start "TERM=xterm-256color '$cd' open --symbols-path '$syms' '$dump'"
check views/broken-reported "frames.yaml:3"
keys f
check views/default-kept "Found by"
keys q
check views/quit "EXITED 0"
# A user keys.yaml rebinds an action: frames on x (and no longer on f).
printf 'keys:\n  frames: [x]\n' >"$tmp/config/crashdesk/keys.yaml"
rm -f "$tmp/config/crashdesk/frames.yaml"
start "TERM=xterm-256color '$cd' open --symbols-path '$syms' '$dump'"
check keys/user-start "SIGSEGV / SEGV_MAPERR"
keys x
check keys/user-binding "Found by"
keys '?'
check keys/help-shows-user-binding "Frames of the selected thread"
s=$(screen)
printf '%s\n' "$s" | grep "Frames of the selected thread" | grep -qE "(^|[│|]) *x  +Frames" && ok keys/help-generated-from-keymap ||
	fail keys/help-generated-from-keymap "$s"
keys Escape q
check keys/quit "EXITED 0"
rm -rf "$tmp/config/crashdesk"

# ---- monochrome and dumb terminals stay usable ---------------------------------------
start "NO_COLOR=1 TERM=xterm-256color '$cd' open --symbols-path '$syms' '$dump'"
check no-color/usable "SIGSEGV / SEGV_MAPERR"
keys q
check no-color/quit "EXITED 0"
start "TERM=dumb '$cd' open --symbols-path '$syms' '$dump'"
check dumb/usable "SIGSEGV / SEGV_MAPERR"
keys f
check dumb/frames "storage::flush"
keys q
check dumb/quit "EXITED 0"

# ---- code and memory: disassembly, a stack's words, PHC stacks ---------------------------
json=$("$cd" walk --json --symbols-path "$syms" "$dump" 2>/dev/null)
insn=$(printf '%s' "$json" | grep -o '"instruction":"[^"]*"' | head -1 | sed 's/.*:"//; s/"$//')
start "TERM=xterm-256color '$cd' open --symbols-path '$syms' '$dump'"
check code/start "SIGSEGV / SEGV_MAPERR"
keys f D
check code/disasm "thread 0 frame 0 at"
s=$(screen)
# The marked instruction is the one the crash analysis decoded; branch
# targets are named with the symbols.
printf '%s\n' "$s" | grep "^=>" | grep -qF -- "$insn" && ok code/faulting-marked ||
	fail code/faulting-marked "want => $insn: $s"
printf '%s\n' "$s" | grep -E "^ +0x[0-9a-f]+ " | grep -E "(jz|jnz|call|jmp) " | grep -q "crashme-fp!" &&
	ok code/targets-named || fail code/targets-named "$s"
# A caller: the call it returns from is marked.
keys q j D
check code/caller "thread 0 frame 1 at"
s=$(screen)
printf '%s\n' "$s" | grep "^=>" | grep -q "call " && ok code/caller-call-marked ||
	fail code/caller-call-marked "$s"
# X: the selected frame's stack a word a line, what each word points to
# named; w: 16 bytes a line.
keys q X
check code/memory "stack from its stack pointer"
check code/memory-names "crashme-fp!null_write_inline(int)+0x"
s=$(screen)
printf '%s\n' "$s" | sed -n 4p | grep -qE "^0x[0-9a-f]{16} 0x[0-9a-f]{16}" && ok code/memory-words ||
	fail code/memory-words "$s"
keys w
check code/memory-bytes "16 bytes a line"
s=$(screen)
printf '%s\n' "$s" | sed -n 4p | grep -qE "^0x[0-9a-f]{16} ([0-9a-f]{2} ){8} ([0-9a-f]{2} ){7}[0-9a-f]{2}" &&
	ok code/memory-hexdump || fail code/memory-hexdump "$s"
keys q q
check code/quit "EXITED 0"
# PHC's stacks (comma-separated addresses in the annotations), named
# against the dump's modules, in their order.
mkdir -p "$tmp/phc"
ln -s "$dump" "$tmp/phc/phc.dmp"
offs=$(printf '%s' "$json" | grep -o '"offset":"0x[0-9a-f]*"' | sed -n '2p;3p' | sed 's/.*:"//; s/"$//' | tr '\n' ',')
printf '{"ProductName":"Crashme","PHCKind":"FreedPage","PHCAllocStack":"%s0x10"}' "$offs" >"$tmp/phc/phc.extra"
start "TERM=xterm-256color '$cd' open --symbols-path '$syms' '$tmp/phc/phc.dmp'"
check phc/start "SIGSEGV / SEGV_MAPERR"
keys a / PHCAllocStack Enter Enter
check phc/pane "where the memory was allocated"
check phc/named "crashme-fp!null_write_inline(int)+0x"
s=$(screen)
printf '%s\n' "$s" | grep -E "^ +0 +0x" | grep -q "crashme-fp!storage::" &&
	printf '%s\n' "$s" | grep -E "^ +1 +0x" | grep -q "crashme-fp!null_write_inline" &&
	printf '%s\n' "$s" | grep -E "^ +2 +0x10 " | grep -q "in no module" && ok phc/in-order ||
	fail phc/in-order "$s"
keys q q
check phc/quit "EXITED 0"

# ---- source: a frame's file found under a source root, its line marked, $EDITOR -------
src="$(cd "$shared/corpus/src" 2>/dev/null && pwd)"
ledger="$dumps/own-ledger-null_write.dmp"
if [ -f "$src/ledger.c" ] && [ -f "$ledger" ]; then
	printf '#!/bin/sh\necho "$@" >"%s/edited"\n' "$tmp" >"$tmp/srcedit"
	chmod +x "$tmp/srcedit"
	start "EDITOR='$tmp/srcedit' TERM=xterm-256color '$cd' open --symbols-path '$syms' --source-root '$src' '$ledger'"
	check source/start "SIGSEGV"
	# The crashing frame (folded: apply_posting at ledger.c:70, the call
	# of its inline functions): its file's lines in order, 70 marked.
	keys f v
	check source/pane "under --source-root"
	s=$(screen)
	want69=$(sed -n 69p "$src/ledger.c" | sed 's/^ *//')
	want70=$(sed -n 70p "$src/ledger.c" | sed 's/^ *//')
	l69=$(printf '%s\n' "$s" | grep -nE "^ +69 " | cut -d: -f1)
	l70=$(printf '%s\n' "$s" | grep -nE "^> +70 " | cut -d: -f1)
	l71=$(printf '%s\n' "$s" | grep -nE "^ +71 " | cut -d: -f1)
	[ -n "$l69" ] && [ -n "$l70" ] && [ -n "$l71" ] && [ "$l69" -lt "$l70" ] && [ "$l70" -lt "$l71" ] &&
		printf '%s\n' "$s" | grep -E "^> +70 " | grep -qF -- "$want70" &&
		printf '%s\n' "$s" | grep -E "^ +69 " | grep -qF -- "$want69" && ok source/line-marked-in-order ||
		fail source/line-marked-in-order "$s"
	# e: $EDITOR at the selected line; after moving up one, at 69.
	# wait_file PATTERN: until the editor has written what matches.
	wait_file() {
		i=0
		while [ $i -lt 100 ] && ! grep -q "$1" "$tmp/edited" 2>/dev/null; do
			sleep 0.05
			i=$((i + 1))
		done
	}
	keys e
	wait_file "^+70 "
	grep -q "^+70 .*/ledger.c$" "$tmp/edited" 2>/dev/null && ok source/edit-at-line ||
		fail source/edit-at-line "$(cat "$tmp/edited" 2>/dev/null)"
	keys k e
	wait_file "^+69 "
	grep -q "^+69 .*/ledger.c$" "$tmp/edited" 2>/dev/null && ok source/edit-selected-line ||
		fail source/edit-selected-line "$(cat "$tmp/edited" 2>/dev/null)"
	# An inline frame's own line: unfolded, the innermost (store_balance,
	# ledger.c:54) is the first row.
	keys q i g v
	check source/inline "ledger.c:54  (under --source-root"
	s=$(screen)
	printf '%s\n' "$s" | grep -E "^> +54 " | grep -qF -- "$(sed -n 54p "$src/ledger.c" | sed 's/^ *//')" &&
		ok source/inline-line || fail source/inline-line "$s"
	keys q q q
	check source/quit "EXITED 0"
	# A build path mapped; without any source option, where it looked.
	start "TERM=xterm-256color '$cd' open --symbols-path '$syms' --source-map=/src/owncrash/src='$src' '$ledger'"
	check source/map-start "SIGSEGV"
	keys f v
	check source/mapped "mapped by --source-map /src/owncrash/src="
	keys q q q
	start "TERM=xterm-256color '$cd' open --symbols-path '$syms' '$ledger'"
	check source/none-start "SIGSEGV"
	keys f v
	check source/not-found "ledger.c:70 is not on this machine"
	check source/not-found-says "no --source-root DIR given"
	keys q q q
else
	echo "skip source: $src/ledger.c or $ledger not found"
fi

# ---- the sym-file browser ----------------------------------------------------------------
sym=$(find "$syms" -name 'crashme-fp.sym' | head -1)
if [ -n "$sym" ]; then
	start "TERM=xterm-256color '$cd' sym browse '$sym'"
	check sym/functions "storage::flush"
	keys /
	keys "WriteThreadListStream" Enter
	check sym/search "MinidumpWriter::WriteThreadListStream"
	keys Enter
	check sym/lookup "Start + offset"
	keys q
	keys @
	keys "3bf3" Enter
	check sym/address-inline-chain "storage::store_cell"
	keys q
	keys Tab
	check sym/check "no anomalies"
	# The title bar names the two views, the current one marked, in order.
	s=$(screen | head -1)
	printf '%s\n' "$s" | grep -qE "Functions +Check" && ok sym/tabs-labelled ||
		fail sym/tabs-labelled "$s"
	keys q
	# Inlines: every INLINE record of the function, not only those at
	# its first byte (the count the file has under FUNC cd00).
	want=$(awk '$1 == "FUNC" { f = $2 } $1 == "INLINE" && f == "cd00" { n++ } END { print n }' "$sym")
	keys "|" cd00 Enter
	wait_for "1 rows match" >/dev/null
	s=$(screen)
	printf '%s\n' "$s" | grep "0xcd00" | grep -qE "WriteThreadListStream +$want( |$)" &&
		ok sym/inline-count || fail sym/inline-count "want $want inline records: $s"
	# A name cut to its column scrolls sideways (l, Right) until its end
	# shows, and back (h, Left).
	keys "|" C-u "WriteMinidumpForChild(int, int" Enter
	wait_for "rows match" >/dev/null
	s=$(screen)
	printf '%s\n' "$s" | grep "WriteMinidumpF" | grep -q "…" && ! printf '%s\n' "$s" | grep -q "bool), void\*)" &&
		ok sym/name-cut || fail sym/name-cut "$s"
	keys l l l l l l l l
	check sym/scrolled-right "bool), void*)"
	check sym/scrolled-said "cut text scrolled"
	keys h h h h h h h h
	wait_gone "bool), void*)" && ok sym/scrolled-back || fail sym/scrolled-back "$(screen)"
	keys q
	check sym/quit "EXITED 0"
	# A file of PUBLIC records only (a system library's) is not empty; its
	# addresses sort by value; past its last symbol a lookup says the
	# address may be outside the module.
	{ sed -n 1p "$sym"; echo "PUBLIC 9f0 0 nine_f_zero"; echo "PUBLIC 1000 0 one_thousand";
	  echo "PUBLIC 200 0 two_hundred"; } >"$tmp/pub.sym"
	start "TERM=xterm-256color '$cd' sym browse '$tmp/pub.sym'"
	check sym/public-only "one_thousand"
	check sym/public-count "0 functions, 3 PUBLIC symbols"
	keys o o
	check sym/sorted-desc "descending"
	s=$(screen)
	order=$(printf '%s\n' "$s" | grep -oE "one_thousand|nine_f_zero|two_hundred" | tr '\n' ' ')
	[ "$order" = "one_thousand nine_f_zero two_hundred " ] && ok sym/hex-sort-by-value ||
		fail sym/hex-sort-by-value "order: $order
$s"
	keys @ "ffffffff" Enter
	check sym/outside-module "may be outside it"
	check sym/outside-names-last "past one_thousand"
	keys q q
	check sym/public-quit "EXITED 0"
	# A damaged file: its anomalies with their line numbers.
	{ sed -n 1,3p "$sym"; echo "FUNC zz 10 0 broken"; echo "FUNC 10 10 0 fine"; } >"$tmp/bad.sym"
	start "TERM=xterm-256color '$cd' sym browse '$tmp/bad.sym'"
	check sym/damaged-functions "fine"
	keys Tab
	check sym/damaged-line "damaged"
	s=$(screen)
	printf '%s\n' "$s" | grep -E "^ +4 +damaged" >/dev/null && ok sym/damaged-line-number ||
		fail sym/damaged-line-number "$s"
	# Enter on the anomaly: the file's lines around it, the line marked.
	keys Enter
	check sym/anomaly-lines "line 4: damaged"
	s=$(screen)
	printf '%s\n' "$s" | grep -E "^> 4 +FUNC zz 10 0 broken" >/dev/null &&
		printf '%s\n' "$s" | grep -E "^5 +FUNC 10 10 0 fine" >/dev/null && ok sym/anomaly-marked ||
		fail sym/anomaly-marked "$s"
	keys q q q
	check sym/damaged-quit "EXITED 0"
else
	echo "skip sym: crashme-fp.sym not found"
fi
