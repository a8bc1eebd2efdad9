#!/bin/sh
# run.sh BUILD_DIR - runs every test binary in BUILD_DIR/tests and every
# tests/*.test.sh script, counts their "ok"/"FAIL"/"skip" lines and ends
# with "N passed, N failed, N skipped". Exits 1 if anything failed.
build=${1:-build}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export CRASHDESK="$build/crashdesk" LANG=C.UTF-8 LC_ALL=C.UTF-8
pass=0 fail=0 skip=0
for t in "$build"/tests/test_* tests/*.test.sh; do
	[ -e "$t" ] || continue
	[ -x "$t" ] || continue
	name=$(basename "$t")
	"$t" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log"); f=$(grep -c '^FAIL ' "$log"); s=$(grep -c '^skip ' "$log")
	# A failure's message goes on until the next result line (a screen, a
	# diff); CI logs show only this summary, so it is kept, up to 60 lines.
	awk -v n="$name" '/^(ok|FAIL|skip) /{ show = /^FAIL /; left = 60 }
		/^(FAIL|skip) /{ print "  " n ": " $0; next }
		show && left-- > 0 { print "    | " $0 }' "$log"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "  $name: exited with status $rc"; tail -5 "$log" | sed 's/^/    /'
		f=$((f + 1))
	fi
	echo "$name: $p passed, $f failed, $s skipped"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done
# Under make check every sanitizer report lands in one directory: each is a
# failure, whichever command wrote it and whatever its test looked at.
if [ -n "$CRASHDESK_SANITIZER_LOGS" ]; then
	n=0
	for r in "$CRASHDESK_SANITIZER_LOGS"/*; do
		[ -f "$r" ] || continue
		n=$((n + 1))
		echo "  FAIL sanitizer report $(basename "$r"): $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$r")"
		grep -m1 -A12 -E 'ERROR|runtime error' "$r" | sed 's/^/    | /'
	done
	echo "sanitizer reports: $n"
	fail=$((fail + n))
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
