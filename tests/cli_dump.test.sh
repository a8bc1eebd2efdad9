#!/bin/sh
# cli_dump.test.sh - `crashdesk dump` as a user runs it: output, JSON,
# exit codes and error messages on bad input.
cd "$(dirname "$0")/.." || exit 1
cd=${CRASHDESK:-build/crashdesk}
shared=${CRASHDESK_SHARED:-../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
check() { # name, condition (as a command), why
	name=$1; shift; why=$1; shift
	if "$@"; then ok "$name"; else fail "$name" "$why"; fi
}

# Bad input: one line naming the file, exit 1, nothing on stdout.
: > "$tmp/empty.dmp"
printf 'MDMP' > "$tmp/short.dmp"
printf 'not a minidump at all, just text\n' > "$tmp/text.dmp"
for f in "$tmp/empty.dmp" "$tmp/short.dmp" "$tmp/text.dmp" "$tmp" "$tmp/missing.dmp"; do
	out=$("$cd" dump "$f" 2>"$tmp/err"); rc=$?
	base=$(basename "$f")
	check "bad-input/$base" "rc=$rc out='$out' err='$(cat "$tmp/err")'" \
		test "$rc" -eq 1 -a -z "$out" -a "$(wc -l < "$tmp/err")" -eq 1
	check "bad-input-names-file/$base" "stderr: $(cat "$tmp/err")" grep -qF "$f" "$tmp/err"
done
"$cd" dump "$tmp/text.dmp" 2>&1 | grep -q 'offset 0x0' && ok bad-input/names-offset ||
	fail bad-input/names-offset "no offset in: $("$cd" dump "$tmp/text.dmp" 2>&1)"

# Usage errors exit 2.
"$cd" dump >/dev/null 2>&1; rc=$?
check usage/no-file "rc=$rc" test "$rc" -eq 2
"$cd" dump --bogus x.dmp >/dev/null 2>&1; rc=$?
check usage/bad-option "rc=$rc" test "$rc" -eq 2
"$cd" nosuchcommand >/dev/null 2>&1; rc=$?
check usage/unknown-command "rc=$rc" test "$rc" -eq 2

if [ ! -d "$shared/corpus/dumps" ]; then
	echo "skip corpus: $shared/corpus/dumps is absent (the shared corpus sits beside the checkout)"
	exit 0
fi
d="$shared/corpus/dumps"

# A real dump: modules, crash reason, threads; exit 0.
out=$("$cd" dump "$d/own-threads.dmp" 2>"$tmp/err"); rc=$?
check real/exit "rc=$rc err=$(cat "$tmp/err")" test "$rc" -eq 0
for want in "code_file=/opt/crashme/bin/crashme" "reason=SIGSEGV / SEGV_MAPERR" \
	"debug_id=557E11D4B6BF94D7D6C66B9B3AFB485C0" "code_id=d4117e55bfb6d794d6c66b9b3afb485c03c85534" \
	"== threads ==" "== linux =="; do
	printf '%s' "$out" | grep -qF "$want" && ok "real/shows '$want'" || fail "real/shows '$want'" "not in output"
done

# --json: valid JSON (checked by python3 where present, else by shape).
"$cd" dump --json "$d/bp-minidump_crashpad_annotation.dmp" > "$tmp/out.json"; rc=$?
check json/exit "rc=$rc" test "$rc" -eq 0
if command -v python3 >/dev/null; then
	python3 - "$tmp/out.json" <<'PY' && ok json/parses-with-annotations || fail json/parses-with-annotations "see above"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "ok", d["status"]
assert d["crashpad_info"]["simple_annotations"]["prod"] == "xcuitest"
assert len(d["threads"]) == 7 and len(d["modules"]) == 354
assert all(m["base"].startswith("0x") for m in d["modules"])
PY
else
	echo "skip json/parses-with-annotations: python3 absent"
fi

# A damaged dump: what can be read is printed, then its problems; exit 1.
out=$("$cd" dump "$d/rm-invalid-range.dmp" 2>"$tmp/err"); rc=$?
check damaged/exit "rc=$rc" test "$rc" -eq 1
printf '%s' "$out" | grep -q '== problems ==' && ok damaged/problems-listed || fail damaged/problems-listed "no problems section"
printf '%s' "$out" | grep -q 'is outside the file' && ok damaged/says-why || fail damaged/says-why "no reason given"
printf '%s' "$out" | grep -q '== directory ==' && ok damaged/still-prints || fail damaged/still-prints "directory missing"
grep -q 'rm-invalid-range.dmp: damaged' "$tmp/err" && ok damaged/stderr-names-file || fail damaged/stderr-names-file "$(cat "$tmp/err")"

# Several dumps: each processed, status 1 if any failed.
"$cd" dump "$d/own-threads.dmp" "$tmp/text.dmp" "$d/own-plugin.dmp" > "$tmp/multi" 2>/dev/null; rc=$?
n=$(grep -c '^file: ' "$tmp/multi")
check multi/both-good-printed "printed $n files" test "$n" -eq 2
check multi/exit "rc=$rc" test "$rc" -eq 1
