#!/usr/bin/env python3
"""symserver.py - a test symbol server (Python 3 standard library only).

Serves ROOT (a DEBUGFILE/DEBUGID/NAME.sym store, e.g. ../shared/corpus/symbols)
in Tecken's layout on 127.0.0.1 at a free port, which it writes to
--port-file once listening. CODEFILE/CODEID/NAME.sym is answered with a
redirect to the debug-id location when a file's INFO CODE_ID names it.

Misbehaviour on request, by rules "SUBSTRING=ACTION" (first match on the
request path wins, ^SUBSTRING matches its start; --rule is repeatable):
  404            answer 404
  500 / 500xN    answer 500 (always, or the first N times)
  429xN:S        answer 429 with Retry-After: S the first N times
  stall          send headers and half the body, then nothing for 60 s
  drop / dropxN  send headers with the full length and half the body, then
                 close (always, or the first N times)
  truncgz        gzip the body and send only its first half (with a
                 Content-Length that matches what is sent)
  wrongid        serve the body with another debug id on its MODULE line
  notsym         serve an HTML page with status 200
  hugelen        declare a 5 GB body and trickle zeros
  bomb           a gzip body that inflates 1000 times (256 MB of zeros)
  redirect       redirect to /r/PATH, which serves the file
--gzip sends every body with Content-Encoding: gzip; --latency MS delays
every answer; --prefix /try/ serves the store under that prefix only.
Every request is logged to --log as "PATH STATUS" (for counting).
"""
import argparse
import gzip
import zlib
import http.server
import os
import re
import sys
import threading
import time
import urllib.parse


def index_code_ids(root):
    """(code file, code id) -> (debug file, debug id, name) from INFO CODE_ID."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".sym"):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root).split(os.sep)
            if len(rel) != 3:
                continue
            try:
                with open(path, "rb") as fh:
                    for _ in range(8):
                        line = fh.readline().decode("utf-8", "replace").split()
                        if len(line) >= 3 and line[0] == "INFO" and line[1] == "CODE_ID":
                            code_file = line[3] if len(line) > 3 else rel[0]
                            out[(code_file, line[2].upper())] = tuple(rel)
            except OSError:
                pass
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", default=None)
    ap.add_argument("--rule", action="append", default=[])
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--latency", type=float, default=0.0, help="milliseconds per request")
    ap.add_argument("--prefix", default="/")
    a = ap.parse_args()

    rules = []
    for r in a.rule:
        sub, _, action = r.rpartition("=")
        m = re.fullmatch(r"(\w+?)(?:x(\d+))?(?::(\d+))?", action)
        if not m:
            sys.exit("bad rule " + r)
        rules.append({"sub": sub, "act": m.group(1),
                      "times": int(m.group(2)) if m.group(2) else None,
                      "arg": int(m.group(3)) if m.group(3) else 1, "used": 0})
    codes = index_code_ids(a.root)
    lock = threading.Lock()
    prefix = "/" + a.prefix.strip("/")
    prefix = "" if prefix == "/" else prefix
    logf = open(a.log, "a", buffering=1) if a.log else None

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def note(self, status):
            if logf:
                with lock:
                    logf.write("%s %d\n" % (self.path, status))

        def simple(self, status, body=b"", headers=()):
            self.note(status)
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def rule(self):
            with lock:
                for r in rules:
                    sub = r["sub"]
                    if (self.path.startswith(sub[1:]) if sub.startswith("^") else sub in self.path):
                        if r["times"] is not None and r["used"] >= r["times"]:
                            return None
                        r["used"] += 1
                        return r
            return None

        def do_GET(self):
            if a.latency:
                time.sleep(a.latency / 1000.0)
            path = urllib.parse.unquote(self.path.split("?")[0])
            redirected = path.startswith("/r/")
            if redirected:
                path = path[2:]
            if prefix:
                if not path.startswith(prefix + "/"):
                    return self.simple(404, b"not under the prefix\n")
                path = path[len(prefix):]
            parts = [p for p in path.split("/") if p]
            if len(parts) != 3 or any(p in (".", "..") for p in parts):
                return self.simple(404, b"not found\n")
            r = self.rule()
            act = r["act"] if r else None
            if redirected and act == "redirect":
                act = None
            if act == "404":
                return self.simple(404, b"not found\n")
            if act == "500":
                return self.simple(500, b"oops\n")
            if act == "429":
                return self.simple(429, b"slow down\n", [("Retry-After", str(r["arg"]))])
            if act == "notsym":
                return self.simple(200, b"<html>Sign in</html>\n", [("Content-Type", "text/html")])
            if act == "redirect":
                return self.simple(302, b"", [("Location", "/r" + self.path)])
            if act == "hugelen":
                # Declares 5 GB, then trickles zeros for as long as it is read.
                self.note(200)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(5 << 30))
                self.end_headers()
                try:
                    for _ in range(600):
                        self.wfile.write(b"\0" * 65536)
                        self.wfile.flush()
                        time.sleep(0.1)
                except OSError:
                    pass
                self.close_connection = True
                return
            if act == "bomb":
                # 256 MB of zeros in a quarter-megabyte gzip body.
                z = zlib.compressobj(9, zlib.DEFLATED, 31)
                chunk = b"\0" * (1 << 20)
                body = b"".join(z.compress(chunk) for _ in range(256)) + z.flush()
                return self.simple(200, body, [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")])
            file = os.path.join(a.root, *parts)
            if not os.path.isfile(file):
                key = (parts[0], parts[1].upper())
                if key in codes:
                    d = codes[key]
                    return self.simple(302, b"", [("Location", "/r%s/%s/%s/%s" % (prefix, *d))])
                return self.simple(404, b"not found\n")
            with open(file, "rb") as fh:
                body = fh.read()
            if act == "wrongid":
                body = re.sub(rb"^(MODULE \S+ \S+ )\S+", rb"\g<1>00000000000000000000000000000000F",
                              body, count=1)
            headers = [("Content-Type", "text/plain")]
            if a.gzip or act == "truncgz":
                body = gzip.compress(body, 1)
                headers.append(("Content-Encoding", "gzip"))
            if act == "truncgz":
                body = body[: len(body) // 2]
            if act in ("stall", "drop"):
                self.note(200)
                self.send_response(200)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                if act == "stall":
                    time.sleep(60)
                self.close_connection = True
                return
            self.simple(200, body, headers)

    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = 128
        def handle_error(self, request, client_address):
            pass  # clients that hang up (timeouts, kills) are part of the tests

    srv = Server(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
