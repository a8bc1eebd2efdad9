#!/bin/sh
# rm_parity.test.sh - crashdesk's JSON and --human against rust-minidump's
# own snapshots (shared/reference/rust-minidump/), leaf by leaf and line by
# line (tests/rmcompare.py), each run as the snapshot's command says, through
# the minidump-stackwalk link. Every figure is printed; each must reach its
# floor, the figure this tree reached, so that no change loses parity
# unseen (raise a floor when a change gains some). docs/CONFORMANCE.md says
# why each remaining difference remains.
cd "$(dirname "$0")/.." || exit 1
cd=${CRASHDESK:-build/crashdesk}
shared=${CRASHDESK_SHARED:-../shared}
ref="$shared/reference/rust-minidump"
mdsw="$(dirname "$cd")/minidump-stackwalk"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache" XDG_CONFIG_HOME="$tmp/config"
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

if [ ! -d "$ref" ] || [ ! -d "$shared/corpus/dumps" ]; then
	echo "skip rm-parity/*: $ref is absent (7 snapshots, 16 rule checks)"
	exit 0
fi
dumps="$shared/corpus/dumps"
# rust-minidump's testdata/symbols holds just these two modules.
syms="$tmp/symbols"
for m in test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1 crash-client/509C0610949836F7B70BD88BCF03E5400; do
	mkdir -p "$syms/$m"
	cp "$shared/corpus/symbols/$m/"*.sym "$syms/$m/"
done

# check NAME KIND FLOOR SNAPSHOT ARGS...: runs minidump-stackwalk ARGS and
# compares its stdout with SNAPSHOT; FLOOR is the least count of equal
# leaves or lines.
check() {
	name=$1 kind=$2 floor=$3 snap=$4
	shift 4
	rm -rf "$tmp/cache"
	"$mdsw" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	got=$(python3 tests/rmcompare.py "$kind" "$ref/$snap" "$tmp/$name.out")
	equal=${got%% of *}
	echo "# $name: $got ${kind} equal (floor $floor)"
	if [ $rc -eq 0 ] && [ "$equal" -ge "$floor" ] 2>/dev/null; then
		ok "rm-parity/$name"
	else
		fail "rm-parity/$name" "rc=$rc, $got, floor $floor"
		python3 tests/rmcompare.py -v "$kind" "$ref/$snap" "$tmp/$name.out" | head -40
	fi
}

check json-pretty json 306 json-pretty.snap --json --pretty "$dumps/rm-test.dmp"
check json-unstable-all json 306 json-unstable-all.snap --json --pretty --features unstable-all "$dumps/rm-test.dmp"
check json-pretty-symbols json 306 json-pretty-symbols.snap --json --pretty "$dumps/rm-test.dmp" "$syms"
check linux-json-pretty json 529 linux_json_pretty.snap --json --pretty "$dumps/rm-linux-mini.dmp"
check human human 46 human.snap --human "$dumps/rm-test.dmp"
check human-symbols human 49 human-symbols.snap --human "$dumps/rm-test.dmp" "$syms"
check human-brief human 25 human-brief.snap --human --brief "$dumps/rm-test.dmp"

# ---- rust-minidump's rules on other corpus dumps ----------------------------------
# Each expected value below is what rust-minidump's minidump-stackwalk (the
# commit of the snapshots, run on this corpus with its symbols) printed;
# docs/CONFORMANCE.md has the whole comparison and how it was made.
fields() { # NAME DUMP PYTHON-ASSERTIONS: walks DUMP with the corpus symbols
	name=$1 dump=$2 expr=$3
	rm -rf "$tmp/cache"
	"$mdsw" --json "$dumps/$dump.dmp" "$shared/corpus/symbols" >"$tmp/$name.json" 2>"$tmp/$name.err"
	if python3 - "$tmp/$name.json" <<PY
import json, sys
d = json.load(open(sys.argv[1]))
t = d['crashing_thread']
$expr
PY
	then ok "rm-rules/$name"; else fail "rm-rules/$name" "$(head -c 300 "$tmp/$name.err")"; fi
}
# A Linux module with a PDB70 record: the code id is the PE-style
# timestamp and size; the debug id the record's.
fields code-id-from-image bp-linux_divide_by_zero \
	"m = d['modules'][0]; assert (m['code_id'], m['debug_id']) == ('0000000017000', 'B7C04F7B5C2A80AF870A1C234668A0DE0'), m"
# The walk goes on past _start: a CFI frame outside every module, then a
# scanned one in linux-gate.so, 13 frames in all.
fields past-start own-abort_assert \
	"assert t['frame_count'] == 13 and t['frames'][10]['function'] == '_start', t['frame_count']
assert (t['frames'][11]['trust'], t['frames'][11]['module'], t['frames'][12]['module']) == ('cfi', None, 'linux-gate.so')"
# A PUBLIC that starts at the nearest FUNC below the address does not
# cover it: no scanned frame in 'main' after linux-gate.so.
fields public-cut-by-func own-tmplcrash-templates "assert t['frame_count'] == 9, t['frame_count']"
# The instruction in yaxpeax's spelling, with the call's stack write.
fields call-relative own-recurse-stack_overflow \
	"ci = d['crash_info']; assert ci['instruction'] == 'call -0x11', ci['instruction']
assert ci['memory_accesses'] == [{'address': '0x00007ffe0854fff8', 'size': 8, 'access_type': 'write'}], ci['memory_accesses']"
fields scaled-index bp-write_av_non_canonical \
	"assert d['crash_info']['instruction'] == 'mov qword [rax + rcx * 1], 0x41414141', d['crash_info']['instruction']"
fields signed-immediate rm-invalid-parameter \
	"assert d['crash_info']['instruction'] == 'mov dword [rsp + 0x390], -0x3ffffff3', d['crash_info']['instruction']"
# Bit-flip confidences are f32s widened to f64.
fields f32-confidence bp-linux_write_to_under_4k \
	"assert [f['confidence'] for f in d['crash_info']['possible_bit_flips']] == [0.6625000238418579] * 2"
# A maps stream whose last line is cut: rust-minidump reads none of it.
fields maps-unreadable bp-linux_executable_stack "assert d['linux_memory_map_count'] is None"
# Codes it cannot name, the TEB's last error on every system.
fields reason-words bp-minidump_crashpad_annotation \
	"assert d['crash_info']['type'] == 'unknown 0x43506e78 / 0x00000000', d['crash_info']['type']
assert d['threads'][1]['last_error_value'] == 'ERROR_SUCCESS', d['threads'][1]['last_error_value']"
fields fast-fail bp-tiny-exe-fastfail \
	"assert d['crash_info']['type'] == 'EXCEPTION_STACK_BUFFER_OVERRUN / FAST_FAIL_FATAL_APP_EXIT', d['crash_info']['type']"
# A module without a debug id that frames lie in was looked for: missing.
fields no-debug-id-missing bp-thread_name_list "assert d['modules'][0]['missing_symbols'] is True"
# --human: the real frame's offset from its line record, or with inlines
# from the outermost inline's range; the writer's soft errors at the end.
"$mdsw" --human "$dumps/own-ledger-null_write.dmp" "$shared/corpus/symbols" | grep -qxF " 3  ledger!post_day [ledger.c : 77 + 0x4]" &&
	ok rm-rules/human-line-offset || fail rm-rules/human-line-offset "no ' 3  ledger!post_day [ledger.c : 77 + 0x4]'"
"$mdsw" --human "$dumps/rm-pipeline-inlines-macos-segv.dmp" "$syms" | grep -qxF " 4  crash-client!crash_client::main [main.rs : 142 + 0x562]" &&
	ok rm-rules/human-inline-offset || fail rm-rules/human-inline-offset "no '[main.rs : 142 + 0x562]'"
"$mdsw" --human "$dumps/rm-linux-mini.dmp" | grep -qx "Soft errors were encountered when minidump was written:" &&
	ok rm-rules/human-soft-errors || fail rm-rules/human-soft-errors "no soft errors section"
# No thread list: rust-minidump exits 1; crashdesk too, with the rest reported.
"$mdsw" --json --output-file="$tmp/inv.json" --log-file="$tmp/inv.log" --verbose=error "$dumps/rm-invalid-range.dmp"
rc=$?
[ $rc -eq 1 ] && grep -q "no readable thread list" "$tmp/inv.log" && python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/inv.json" &&
	ok rm-rules/no-thread-list-exit-1 || fail rm-rules/no-thread-list-exit-1 "rc=$rc $(cat "$tmp/inv.log")"
# The same from a stored result (the second run reuses the first's).
"$mdsw" --json --output-file="$tmp/inv2.json" --log-file="$tmp/inv2.log" --verbose=error "$dumps/rm-invalid-range.dmp"
rc=$?
[ $rc -eq 1 ] && grep -q "no readable thread list" "$tmp/inv2.log" && cmp -s "$tmp/inv.json" "$tmp/inv2.json" &&
	ok rm-rules/no-thread-list-exit-1-reused || fail rm-rules/no-thread-list-exit-1-reused "rc=$rc $(cat "$tmp/inv2.log")"
