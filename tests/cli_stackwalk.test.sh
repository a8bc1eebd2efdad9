#!/bin/sh
# cli_stackwalk.test.sh - crashdesk as rust-minidump's minidump-stackwalk:
# getopt_long's conventions on every command, minidump-stackwalk's flags and
# refusals, the minidump-stackwalk link, and Socorro's exact command line
# (MinidumpStackwalkRule) against a Tecken-layout server.
cd "$(dirname "$0")/.." || exit 1
cd=${CRASHDESK:-build/crashdesk}
shared=${CRASHDESK_SHARED:-../shared}
build=$(dirname "$cd")
mdsw="$build/minidump-stackwalk"
tmp=$(mktemp -d)
srv=
trap '[ -n "$srv" ] && kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache" XDG_CONFIG_HOME="$tmp/config"
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }

"$build/tests/mksample" "$tmp" >/dev/null
dmp="$tmp/sample.dmp"

# --opt=value and --opt value give the same output; so does an unambiguous
# abbreviation; options may follow the operands.
"$cd" walk --json --output-file "$tmp/a.json" "$dmp"
"$cd" walk --json --output-file="$tmp/b.json" "$dmp"
"$cd" walk "$dmp" --js --output-f="$tmp/c.json"
cmp -s "$tmp/a.json" "$tmp/b.json" && cmp -s "$tmp/a.json" "$tmp/c.json" && [ -s "$tmp/a.json" ] &&
	ok getopt/equals-space-abbrev || fail getopt/equals-space-abbrev "outputs differ"
"$cd" walk --s x "$dmp" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "ambiguous" "$tmp/err" && grep -q -- "--symbols-path" "$tmp/err" &&
	ok getopt/ambiguous-refused || fail getopt/ambiguous-refused "rc=$rc $(cat "$tmp/err")"
"$cd" walk --json=yes "$dmp" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- "--json takes no value" "$tmp/err" && ok getopt/flag-with-value-refused ||
	fail getopt/flag-with-value-refused "rc=$rc $(cat "$tmp/err")"
"$cd" walk "$dmp" --symbols-url >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- "--symbols-url wants a value" "$tmp/err" && ok getopt/missing-value ||
	fail getopt/missing-value "rc=$rc $(cat "$tmp/err")"
# "--" ends the options: a dump named like an option is still a dump.
cp "$dmp" "$tmp/--json"
(cd "$tmp" && "$OLDPWD/$cd" walk --brief -- --json) >"$tmp/dd" 2>&1 && grep -q "Crash reason:" "$tmp/dd" &&
	ok getopt/double-dash || fail getopt/double-dash "$(head -3 "$tmp/dd")"
# Every command: one --opt=value each.
"$cd" dump --json=1 "$dmp" >/dev/null 2>&1; r1=$?
"$cd" sym lookup --cache-dir="$tmp/symc" "$tmp/symbols/sampleapp/"*/sampleapp.sym 0 >/dev/null 2>&1; r2=$?
"$cd" cache path --cache-dir="$tmp/cd" >/dev/null 2>&1; r3=$?
"$cd" signature --json --siglists="$tmp/none" "$dmp" >/dev/null 2>"$tmp/err"; r4=$?
[ $r1 -eq 2 ] && [ $r2 -eq 0 ] && [ $r3 -eq 0 ] && [ $r4 -eq 1 ] && grep -q "$tmp/none" "$tmp/err" &&
	ok getopt/every-command || fail getopt/every-command "dump=$r1 sym=$r2 cache=$r3 signature=$r4"

# minidump-stackwalk's refusals, with the reason; nothing on stdout.
for bad in "--json --human" "--human --pretty" "--json --brief" "--cyborg=$tmp/x --json"; do
	# shellcheck disable=SC2086
	"$mdsw" $bad "$dmp" >"$tmp/out" 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q -- "--" "$tmp/err" && ok "refused/$bad" ||
		fail "refused/$bad" "rc=$rc $(cat "$tmp/err")"
done
"$mdsw" --features=unstable-all --no-color --no-interactive --json "$dmp" >"$tmp/f.json" && cmp -s "$tmp/f.json" "$tmp/a.json" &&
	ok flags/accepted || fail flags/accepted "features/no-color/no-interactive changed the output"
"$mdsw" --features=everything "$dmp" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok flags/features-checked || fail flags/features-checked "rc=$rc"
v=$("$mdsw" --version) && [ "${v#minidump-stackwalk }" != "$v" ] && ok flags/version || fail flags/version "$v"
# The link prints the human report by default, as minidump-stackwalk does.
"$mdsw" "$dmp" | head -1 | grep -q "^Operating system:" && ok link/human-default || fail link/human-default "no human report"
# --cyborg: the JSON into the file, the human report on stdout.
"$mdsw" --cyborg="$tmp/cy.json" "$dmp" >"$tmp/cy.txt" && cmp -s "$tmp/cy.json" "$tmp/a.json" &&
	grep -q "^Crash reason:" "$tmp/cy.txt" && ok flags/cyborg || fail flags/cyborg "$(head -2 "$tmp/cy.txt")"
# A missing dump: non-zero, nothing on stdout, no output file.
"$mdsw" --json --output-file="$tmp/none.json" "$tmp/absent.dmp" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -ne 0 ] && [ ! -s "$tmp/out" ] && [ ! -e "$tmp/none.json" ] && grep -q "absent.dmp" "$tmp/err" &&
	ok missing-dump || fail missing-dump "rc=$rc"
# A symbols path after the dump (minidump-stackwalk's DUMP [SYMBOLS_PATH...]).
"$mdsw" --json "$dmp" "$tmp/symbols" >"$tmp/s.json"
"$cd" walk --json "$dmp" "$tmp/symbols" >"$tmp/s2.json"
"$cd" walk --json --symbols-path "$tmp/symbols" "$dmp" >"$tmp/s3.json"
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert any(m['loaded_symbols'] for m in d['modules']), 'no symbols loaded'
" "$tmp/s.json" && cmp -s "$tmp/s.json" "$tmp/s2.json" && cmp -s "$tmp/s.json" "$tmp/s3.json" &&
	ok operands/symbols-path || fail operands/symbols-path "$(head -c 200 "$tmp/s.json")"

# Socorro's command line, exactly (README of shared/reference/rust-minidump),
# with a Tecken-layout server and a raw crash holding ModuleSignatureInfo.
if [ ! -d "$shared/corpus/dumps" ]; then
	echo "skip socorro/*: $shared/corpus is absent"
	exit 0
fi
python3 tests/symserver.py "$shared/corpus/symbols" --port-file "$tmp/port" --log "$tmp/srvlog" &
srv=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
url="http://127.0.0.1:$(cat "$tmp/port")"
dump="$shared/corpus/dumps/own-null_write_inline.dmp"
printf '{"ProductName":"Crashme","ModuleSignatureInfo":"{\\"Mozilla Corporation\\":[\\"crashme\\"]}"}' >"$tmp/raw.json"
mkdir -p "$tmp/symcache" "$tmp/symtmp"
"$mdsw" --evil-json="$tmp/raw.json" --symbols-cache="$tmp/symcache" --symbols-tmp="$tmp/symtmp" --no-color \
	--output-file="$tmp/out.json" --log-file="$tmp/log.txt" --symbols-url="$url" --json --verbose=error "$dump" \
	>"$tmp/stdout"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/stdout" ] && python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['status'] == 'OK', d['status']
f0 = d['crashing_thread']['frames'][0]
assert f0['function'] == 'storage::flush(storage::Block*, int)', f0
# ModuleSignatureInfo of --evil-json names the signer.
assert d['modules_contains_cert_info'] is True
certs = {m['filename']: m['cert_subject'] for m in d['modules']}
assert certs['crashme'] == 'Mozilla Corporation' and certs['libc.so.6'] is None, certs
" "$tmp/out.json" && ok socorro/output-file || fail socorro/output-file "rc=$rc $(head -c 300 "$tmp/out.json")"
# The log at --verbose=error holds only errors: this walk had none (the
# server lacks some system libraries: a warning, not an error).
[ -e "$tmp/log.txt" ] && [ ! -s "$tmp/log.txt" ] && ok socorro/log-errors-only || fail socorro/log-errors-only "$(head -5 "$tmp/log.txt")"
[ -n "$(ls "$tmp/symcache")" ] && [ -z "$(ls "$tmp/symtmp")" ] && ok socorro/symbols-cache-and-tmp ||
	fail socorro/symbols-cache-and-tmp "cache: $(ls "$tmp/symcache") tmp: $(ls "$tmp/symtmp")"
# An unreadable dump: Socorro reads the exit code and the log.
"$mdsw" --evil-json="$tmp/raw.json" --symbols-cache="$tmp/symcache" --symbols-tmp="$tmp/symtmp" --no-color \
	--output-file="$tmp/out2.json" --log-file="$tmp/log2.txt" --symbols-url="$url" --json --verbose=error "$tmp/absent.dmp"; rc=$?
[ $rc -ne 0 ] && grep -q "absent.dmp" "$tmp/log2.txt" && ok socorro/bad-dump-logged || fail socorro/bad-dump-logged "rc=$rc"
