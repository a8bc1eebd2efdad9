#!/bin/sh
# hostile.test.sh - dumps made to multiply the reader's work (tests/hostile.py:
# 20,000 threads sharing one stack and context; 100,000 modules sharing one
# name and CodeView record): each command's peak memory (getrusage of the
# child) and time stay within bounds stated in docs/PERFORMANCE.md, a small
# multiple of the input plus a constant.
cd "$(dirname "$0")/.." || exit 1
cd=${CRASHDESK:-build/crashdesk}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache" XDG_CONFIG_HOME="$tmp/config"
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
if ! command -v python3 >/dev/null; then
	echo "skip hostile/*: python3 absent (10 checks)"
	exit 0
fi
# Under the sanitizers memory and time grow (shadow memory, quarantine).
san=0
grep -aq __asan_init "$cd" && san=1
python3 tests/hostile.py threads 20000 "$tmp/threads.dmp"
python3 tests/hostile.py modules 100000 "$tmp/modules.dmp"

# bound NAME DUMP PER_MB CONST_MB CMD...: CMD's peak resident memory must
# stay under PER_MB per MB of the dump plus CONST_MB, and 20 s.
bound() {
	name=$1 dump=$2 per=$3 const=$4
	shift 4
	python3 - "$san" "$dump" "$per" "$const" "$@" <<'PY' >"$tmp/bound" 2>&1
import os, subprocess, sys, time
san, dump, per, const = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
cmd = sys.argv[5:]
mb = os.path.getsize(dump) / 1e6
limit = per * mb + const
secs = 20.0
if san:
    limit, secs = 4 * limit + 256, 5 * secs
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
took = time.monotonic() - t0
peak = ru.ru_maxrss / 1024.0
print("%.1f MB dump: peak %.1f MB (bound %.0f), %.2f s (bound %.0f), exit %d" %
      (mb, peak, limit, took, secs, os.waitstatus_to_exitcode(status)))
sys.exit(0 if peak <= limit and took <= secs and os.waitstatus_to_exitcode(status) in (0, 1) else 1)
PY
	rc=$?
	echo "# $name: $(cat "$tmp/bound")"
	[ $rc -eq 0 ] && ok "hostile/$name" || fail "hostile/$name" "$(cat "$tmp/bound")"
}
bound threads-walk-json "$tmp/threads.dmp" 16 64 "$cd" walk --json --reprocess "$tmp/threads.dmp"
bound threads-walk-brief "$tmp/threads.dmp" 16 64 "$cd" walk --brief "$tmp/threads.dmp"
bound threads-signature "$tmp/threads.dmp" 12 128 "$cd" signature "$tmp/threads.dmp"
bound modules-walk-json "$tmp/modules.dmp" 16 64 "$cd" walk --json --reprocess "$tmp/modules.dmp"
bound modules-walk-brief "$tmp/modules.dmp" 16 64 "$cd" walk --brief "$tmp/modules.dmp"
bound modules-signature "$tmp/modules.dmp" 12 128 "$cd" signature "$tmp/modules.dmp"
bound threads-dump "$tmp/threads.dmp" 16 64 "$cd" dump "$tmp/threads.dmp"
bound threads-dump-json "$tmp/threads.dmp" 16 64 "$cd" dump --json "$tmp/threads.dmp"
bound modules-dump "$tmp/modules.dmp" 16 64 "$cd" dump "$tmp/modules.dmp"
bound modules-dump-json "$tmp/modules.dmp" 16 64 "$cd" dump --json "$tmp/modules.dmp"
