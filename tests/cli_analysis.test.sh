#!/bin/sh
# cli_analysis.test.sh - the crash address analysis (src/process/analysis.c)
# on real crashes of the corpus, by rust-minidump's rules: the crashing
# instruction decoded, its memory accesses, null pointers with an offset,
# where a ret jumps, possible bit flips, and what --human says of it.
cd "$(dirname "$0")/.." || exit 1
cd=${CRASHDESK:-build/crashdesk}
shared=${CRASHDESK_SHARED:-../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache" XDG_CONFIG_HOME="$tmp/config"
ok() { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
if [ ! -d "$shared/corpus/dumps" ]; then
	echo "skip analysis/*: $shared/corpus is absent (5 checks)"
	exit 0
fi
d="$shared/corpus/dumps"
ci() { "$cd" walk --json "$d/$1.dmp" | python3 -c "import json, sys; print(json.dumps(json.load(sys.stdin)['crash_info']))"; }

# A write under the first page of a 64-bit process: one flipped bit away
# lies the executable's mapping; the crash address and rax both give it,
# and two registers point near it.
ci bp-linux_write_to_under_4k | python3 -c "
import json, sys
c = json.load(sys.stdin)
assert c['instruction'] == 'mov dword [rax], 0x1', c['instruction']
assert c['memory_accesses'] == [{'address': '0x0000000000000f93', 'size': 4, 'access_type': 'write'}], c['memory_accesses']
f = [(b['address'], b['source_register'], round(b['confidence'], 4)) for b in c['possible_bit_flips']]
assert f == [('0x0000000000400f93', None, 0.6625), ('0x0000000000400f93', 'rax', 0.6625)], f
assert c['adjusted_address'] is None and c['crash_inconsistencies'] == []
" && ok analysis/bit-flip || fail analysis/bit-flip "$(ci bp-linux_write_to_under_4k)"

# x86: a read through a null eax is a null pointer with offset 0; no bit
# flips on 32-bit CPUs (rust-minidump's rule: too many false ones).
ci bp-null_read_av | python3 -c "
import json, sys
c = json.load(sys.stdin)
assert c['instruction'] == 'mov eax, dword [eax]', c
assert c['adjusted_address'] == {'kind': 'null-pointer', 'offset': '0x00000000'}, c
assert c['memory_accesses'][0]['access_type'] == 'read' and c['possible_bit_flips'] is None, c
" && ok analysis/null-pointer-x86 || fail analysis/null-pointer-x86 "$(ci bp-null_read_av)"

# A scaled index: rust-minidump's spelling of the operand.
ci own-fp-null_write_inline | python3 -c "
import json, sys
c = json.load(sys.stdin)
assert c['instruction'] == 'mov dword [rcx + rsi * 4], edi', c['instruction']
assert c['adjusted_address'] == {'kind': 'null-pointer', 'offset': '0x0000000000000000'}, c
" && ok analysis/scaled-index || fail analysis/scaled-index "$(ci own-fp-null_write_inline)"

# ret reads its target off the stack: the instruction pointer update.
ci bp-linux_jmp_to_module_not_exe_region | python3 -c "
import json, sys
c = json.load(sys.stdin)
assert c['instruction'] == 'ret', c
assert c['instruction_pointer_update'] == {'address': '0x00007fff3ab68fc0'}, c
" && ok analysis/ret-target || fail analysis/ret-target "$(ci bp-linux_jmp_to_module_not_exe_region)"

# --human says it all in rust-minidump's words, in its order.
"$cd" walk --human --brief "$d/bp-linux_write_to_under_4k.dmp" >"$tmp/h"
awk '/^Crash address: 0x0000000000000f93$/ { a = NR } /^Crashing instruction: `mov dword \[rax\], 0x1`$/ { b = NR }
	/^Memory accessed by instruction:$/ { c = NR } /^     Access type: Write$/ { d = NR }
	/^No instruction pointer update by instruction$/ { e = NR }
	/^  1. Valid address: rax=0x0000000000400f93 \(0.663\)$/ { f = NR }
	END { exit !(a && a < b && b < c && c < d && d < e && e < f) }' "$tmp/h" && ok analysis/human ||
	fail analysis/human "$(sed -n '/^Crash reason/,/^Process/p' "$tmp/h")"
