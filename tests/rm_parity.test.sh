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
	echo "skip rm-parity/*: $ref is absent (7 snapshots)"
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
