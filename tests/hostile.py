#!/usr/bin/env python3
"""hostile.py KIND COUNT OUT - minidumps made to multiply the reader's work:
many entries that all point at one shared piece of data.

  threads  COUNT threads sharing one 4 KB stack and one amd64 context
  modules  COUNT modules sharing one name and one CodeView (RSDS) record

Each is a valid minidump (amd64 Linux system info), small on disk."""
import struct
import sys


def dump(path, streams):
    """streams: [(type, bytes-builder(off) -> bytes)] laid out after the directory."""
    n = len(streams)
    off = 32 + 12 * n
    body, entries = bytearray(), []
    for typ, data in streams:
        while (off + len(body)) % 8:
            body.append(0)
        rva = off + len(body)
        b = data(rva) if callable(data) else data
        entries.append(struct.pack("<III", typ, len(b), rva))
        body += b
    hdr = struct.pack("<IIIIIIQ", 0x504D444D, 0xA793, n, 32, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(hdr + b"".join(entries) + body)


SYSINFO = struct.pack("<HHHBBIIIIIHH", 9, 6, 0, 2, 1, 0, 0, 0, 0x8201, 0, 0, 0) + b"\0" * 24


def threads(path, count):
    sp = 0x7FFE00001000
    ctx = bytearray(1232)
    struct.pack_into("<I", ctx, 0x30, 0x0010000F)  # CONTEXT_AMD64: control, integer, ...
    struct.pack_into("<Q", ctx, 0x98, sp + 0x100)  # rsp
    struct.pack_into("<Q", ctx, 0xF8, 0x401000)    # rip
    at = {}

    def shared(rva):  # an unused stream holds the context and the stack
        at["ctx"], at["stack"] = rva, rva + len(ctx)
        return bytes(ctx) + b"\x11" * 4096

    def tlist(rva):
        tl = bytearray(struct.pack("<I", count))
        for i in range(count):
            tl += struct.pack("<IIIIQQIIII", 1000 + i, 0, 0, 0, 0, sp, 4096, at["stack"],
                              len(ctx), at["ctx"])
        return bytes(tl)
    dump(path, [(7, SYSINFO), (0, shared), (3, tlist)])


def modules(path, count):
    name = "libshared.so".encode("utf-16-le")
    cv = b"RSDS" + bytes(range(16)) + struct.pack("<I", 1) + b"libshared.pdb\0"
    at = {}

    def shared(rva):  # an unused stream holds the name and the CodeView record
        head = struct.pack("<I", len(name)) + name + b"\0\0"
        at["name"], at["cv"] = rva, rva + len(head)
        return head + cv

    def mlist(rva):
        ml = bytearray(struct.pack("<I", count))
        for i in range(count):
            ml += struct.pack("<QIIII", 0x10000000 + i * 0x10000, 0x1000, 0, 0, at["name"])
            ml += b"\0" * 52                       # VS_FIXEDFILEINFO
            ml += struct.pack("<II", len(cv), at["cv"]) + b"\0" * 24
        return bytes(ml)
    dump(path, [(7, SYSINFO), (0, shared), (4, mlist)])


if __name__ == "__main__":
    {"threads": threads, "modules": modules}[sys.argv[1]](sys.argv[3], int(sys.argv[2]))
