#!/bin/sh
# cli_sym.test.sh - `crashdesk sym` as a user runs it.
cd "$(dirname "$0")/.." || exit 1
cd=${CRASHDESK:-build/crashdesk}
shared=${CRASHDESK_SHARED:-../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

cat > "$tmp/small.sym" <<'SYM'
MODULE Linux x86_64 0123456789ABCDEF0123456789ABCDEF0 small
INFO GENERATOR hand-written
FILE 0 small.c
INLINE_ORIGIN 0 helper
FUNC 1000 20 0 outer(int)
1000 10 5 0
1010 10 6 0
INLINE 0 6 0 0 1010 8
PUBLIC 2000 0 exported
SYM
printf 'MODULE Linux x86_64 0123 damaged\nFUNC nothex 1 0 broken\nFUNC 10 10 0 fine\n' > "$tmp/damaged.sym"

out=$("$cd" sym stats "$tmp/small.sym"); rc=$?
[ $rc -eq 0 ] && printf '%s' "$out" | grep -q "generator: hand-written" &&
	printf '%s' "$out" | grep -qE "^FUNC +1 " && printf '%s' "$out" | grep -q "deepest inline nesting: 1" &&
	ok stats || fail stats "rc=$rc: $out"

"$cd" sym check "$tmp/small.sym" >/dev/null; rc=$?
[ $rc -eq 0 ] && ok check/clean || fail check/clean "rc=$rc"
out=$("$cd" sym check "$tmp/damaged.sym"); rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q "damaged.sym:2: error: malformed FUNC" &&
	ok check/damaged-names-line || fail check/damaged-names-line "rc=$rc: $out"

out=$("$cd" sym lookup --json --cache-dir "$tmp/c" "$tmp/small.sym" 1012 2004 0x10); rc=$?
printf '%s\n' "$out" | head -1 | grep -q '"function":"outer(int)","function_offset":"0x12","file":"small.c","line":6,"public":false,"inlines":\[{"function":"helper","file":"small.c","line":6}\]' &&
	ok lookup/json-inline || fail lookup/json-inline "$out"
printf '%s\n' "$out" | sed -n 2p | grep -q '"function":"exported".*"public":true' &&
	ok lookup/public || fail lookup/public "$out"
printf '%s\n' "$out" | sed -n 3p | grep -q '"function":null' && ok lookup/none || fail lookup/none "$out"
perm=$(stat -c %a "$tmp"/c/symcache/*.cdsym 2>/dev/null)
[ "$perm" = 600 ] && ok lookup/cache-private || fail lookup/cache-private "mode $perm"
"$cd" sym lookup --cache-dir "$tmp/c" "$tmp/small.sym" zz >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok lookup/bad-address || fail lookup/bad-address "rc=$rc"

out=$("$cd" sym funcs --cache-dir "$tmp/c" "$tmp/small.sym" '^out')
[ "$out" = "00001000-00001020 outer(int)" ] && ok funcs/regex || fail funcs/regex "$out"
out=$("$cd" sym funcs --cache-dir "$tmp/c" "$tmp/small.sym" 'outer(')
[ "$out" = "00001000-00001020 outer(int)" ] && ok funcs/substring || fail funcs/substring "$out"

"$cd" sym convert "$tmp/small.sym" -o "$tmp/out.cdsym" >/dev/null && [ -s "$tmp/out.cdsym" ] &&
	ok convert || fail convert "no cache written"
"$cd" sym stats "$tmp/nonexistent.sym" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "nonexistent.sym" "$tmp/err" && ok missing-file || fail missing-file "rc=$rc"

if [ -d "$shared/corpus/symbols" ]; then
	f=$(ls "$shared"/corpus/symbols/crashme/*/crashme.sym)
	out=$("$cd" sym lookup --cache-dir "$tmp/c" "$f" 45a3)
	printf '%s' "$out" | grep -q "storage::fill_block \[inlined\] /src/crashme/crashme.cc:25" &&
		ok corpus/inline-lookup || fail corpus/inline-lookup "$out"
else
	echo "skip corpus/inline-lookup: $shared/corpus is absent"
fi

# INLINE records of any length: 600 ranges on one line (crash-client.sym's
# line 39890 has 96; libxul's have hundreds), an INLINE_ORIGIN name of 8 KB,
# and nesting 60 deep; none of it is damage, and the last range still
# resolves to its inline frames.
python3 - "$tmp/long.sym" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("MODULE Linux x86_64 0123456789ABCDEF0123456789ABCDEF0 long\nFILE 0 long.c\n")
    f.write("INLINE_ORIGIN 0 " + "n" * 8192 + "\n")
    for d in range(1, 60):
        f.write("INLINE_ORIGIN %d level%d\n" % (d, d))
    f.write("FUNC 1000 10000 0 outer\n1000 10000 1 0\n")
    f.write("INLINE 0 2 0 0 " + " ".join("%x 8" % (0x1000 + 16 * i) for i in range(600)) + "\n")
    for d in range(1, 60):
        f.write("INLINE %d 3 0 %d %x 4\n" % (d, d, 0x1000 + 16 * 599))
PY
"$cd" sym check "$tmp/long.sym" >"$tmp/long.out"; rc=$?
[ $rc -eq 0 ] && grep -q "0 malformed" "$tmp/long.out" && ok inline/many-ranges-clean || fail inline/many-ranges-clean "rc=$rc $(cat "$tmp/long.out")"
out=$("$cd" sym lookup --cache-dir "$tmp/lc" "$tmp/long.sym" 3572)
printf '%s' "$out" | grep -q "nnnnnnnnnnnnnnnn" && printf '%s' "$out" | grep -q "level59" &&
	ok inline/last-range-resolves || fail inline/last-range-resolves "$(printf '%s' "$out" | head -5)"
if [ -f "$shared/corpus/symbols/crash-client/509C0610949836F7B70BD88BCF03E5400/crash-client.sym" ]; then
	"$cd" sym check "$shared/corpus/symbols/crash-client/509C0610949836F7B70BD88BCF03E5400/crash-client.sym" >"$tmp/cc.out"; rc=$?
	[ $rc -eq 0 ] && grep -q "0 malformed" "$tmp/cc.out" && ok inline/crash-client-clean || fail inline/crash-client-clean "rc=$rc $(tail -3 "$tmp/cc.out")"
else
	echo "skip inline/crash-client-clean: the corpus is absent"
fi

# A NUL inside a name cuts it where crashdesk keeps it as a C string: said,
# with the line and column, not passed over as ok.
printf 'MODULE Linux x86_64 0123456789ABCDEF0123456789ABCDEF0 t\nFUNC 1000 10 0 fu\000nc\n1000 10 1 1\n' >"$tmp/nul.sym"
"$cd" sym check "$tmp/nul.sym" >"$tmp/nul.out" 2>&1
grep -q "nul.sym:2: warning: a NUL byte at column 18: the text after it is cut off" "$tmp/nul.out" &&
	ok sym/nul-in-name-reported || fail sym/nul-in-name-reported "$(cat "$tmp/nul.out")"
