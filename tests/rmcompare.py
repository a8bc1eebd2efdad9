#!/usr/bin/env python3
"""rmcompare.py - crashdesk's output against rust-minidump's own snapshots.

  rmcompare.py json SNAP OURS   leaf by leaf: every leaf of the snapshot's
                                JSON (a scalar, or an empty list or object)
                                at its path, equal or not in OURS
  rmcompare.py human SNAP OURS  line by line: the snapshot's lines that
                                OURS has, in order (longest common
                                subsequence, so one extra line costs one)

Prints "EQUAL of TOTAL" and, with -v, each difference. Exits 0; the
caller compares the figures with its floor. A snapshot is insta's: a
header between two '---' lines, then the program's standard output.
"""
import difflib
import json
import sys


def snapshot_body(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end >= 0:
            text = text[end + 5:]
    return text


def leaves(v, path="", out=None):
    if out is None:
        out = {}
    if isinstance(v, dict) and v:
        for k, x in v.items():
            leaves(x, path + "/" + k, out)
    elif isinstance(v, list) and v:
        for i, x in enumerate(v):
            leaves(x, "%s[%d]" % (path, i), out)
    else:
        out[path] = v
    return out


def lookup(v, path):
    """The value at path in v, or a marker when absent."""
    missing = object()
    parts = []
    for seg in path.split("/")[1:] if path else []:
        name, _, rest = seg.partition("[")
        parts.append(("k", name))
        while rest:
            idx, _, rest = rest.partition("]")
            parts.append(("i", int(idx)))
            rest = rest[1:] if rest.startswith("[") else rest
    for kind, key in parts:
        if kind == "k":
            if not isinstance(v, dict) or key not in v:
                return missing, False
            v = v[key]
        else:
            if not isinstance(v, list) or key >= len(v):
                return missing, False
            v = v[key]
    return v, True


def same(a, b):
    # JSON true is not 1: bool and int compare by type too.
    return type(a) is type(b) and a == b


def compare_json(snap, ours, verbose):
    ref = json.loads(snapshot_body(snap))
    with open(ours, encoding="utf-8") as f:
        got = json.loads(f.read())
    ref_leaves = leaves(ref)
    equal = 0
    for path, want in ref_leaves.items():
        have, found = lookup(got, path)
        if found and same(have, want):
            equal += 1
        elif verbose:
            print("  %s: want %s, have %s" % (path, json.dumps(want),
                                              (json.dumps(have)[:100] if found else "(absent)")))
    return equal, len(ref_leaves)


def compare_human(snap, ours, verbose):
    ref = snapshot_body(snap).splitlines()
    with open(ours, encoding="utf-8", errors="replace") as f:
        got = f.read().splitlines()
    sm = difflib.SequenceMatcher(None, ref, got, autojunk=False)
    equal = sum(b.size for b in sm.get_matching_blocks())
    if verbose:
        for line in difflib.unified_diff(ref, got, "rust-minidump", "crashdesk", n=0, lineterm=""):
            print("  " + line)
    return equal, len(ref)


def main():
    args = sys.argv[1:]
    verbose = "-v" in args
    args = [a for a in args if a != "-v"]
    if len(args) != 3 or args[0] not in ("json", "human"):
        sys.stderr.write(__doc__)
        return 2
    fn = compare_json if args[0] == "json" else compare_human
    equal, total = fn(args[1], args[2], verbose)
    print("%d of %d" % (equal, total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
