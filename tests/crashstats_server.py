#!/usr/bin/env python3
"""crashstats_server.py - a fake Crash Stats (Socorro webapp API) for tests.

Serves on 127.0.0.1 the crashes of ../shared/crashstats-fixtures (their
minidumps from ../shared/corpus/dumps) and, on demand, many made-up crashes,
with the real API's shapes and errors:

  /api/ProcessedCrash/?crash_id=ID           processed crash (reduced without a token)
  /api/RawCrash/?crash_id=ID[&format=meta]   annotations (reduced without a token)
  /api/RawCrash/?crash_id=ID&format=raw&name=upload_file_minidump   the dump (403 without a token)
  /api/SuperSearch/?...                      filters, _columns, _facets, _facets_size,
                                             _sort, _results_number, _results_offset
  /api/SignatureFirstDate/?signatures=S...   and /api/Bugs/?signatures=S...

Errors: 400 for a malformed crash id or bad parameters (JSON bodies as
Socorro words them), 403 for an unknown token and for dumps without one,
404 for unknown ids and endpoints, 429 every --throttle-every requests
(with Retry-After when --retry-after is given; text/plain body as Crash
Stats answers an Accept: application/json client), 502 every --fail-every
requests, a dropped connection every --drop-every requests, malformed JSON
for the ids given with --malformed, "uptime" as text for --wrong-type ids. --synthetic N adds N crashes of product
Synth (tiny dumps), --large-dump MB gives the first synthetic crash a dump
of that size. The port is written to --port-file; each request is logged
(path and query, whether a token was sent and matched - never the token)
to --log, with the number of requests in flight.
"""
import argparse
import hashlib
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CRASH_ID_RE = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{6}[0-9]{6}$")

# SuperSearch fields the fake knows (a small subset of SuperSearchFields).
FIELDS = {
    "uuid": "uuid", "date": "date", "signature": "signature", "product": "product",
    "version": "version", "platform": "os_name", "release_channel": "release_channel",
    "build_id": "build", "cpu_arch": "cpu_arch", "reason": "reason", "url": "url",
    "user_comments": "user_comments",
}
PROTECTED_FIELDS = {"url", "user_comments"}


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.count = 0
        self.inflight = 0
        self.max_inflight = 0
        self.crashes = {}  # id -> dict(raw, processed, dump bytes or path, protected list)
        self.log = open(args.log, "a") if args.log else None
        self.load_fixtures()
        self.make_synthetic()

    def load_fixtures(self):
        fx = self.args.fixtures
        if not fx or not os.path.isdir(fx):
            return
        index = json.load(open(os.path.join(fx, "index.json")))
        for entry in index:
            cid = entry["crash_id"]
            raw = json.load(open(os.path.join(fx, cid + ".raw.json")))
            proc = json.load(open(os.path.join(fx, cid + ".processed.json")))
            dump = os.path.join(self.args.dumps, entry["dump"]) if self.args.dumps else None
            self.crashes[cid] = {"raw": raw, "processed": proc, "dump_path": dump,
                                 "protected": entry.get("protected", []),
                                 "date": entry["date"] + "T12:00:00.000000+00:00"}

    def make_synthetic(self):
        n = self.args.synthetic
        for i in range(n):
            day = 10 + i % 9
            cid = "%08x-%04x-4%03x-8%03x-%06x2611%02d" % (
                0x5e000000 + i, i % 0x10000, i % 0x1000, (i * 7) % 0x1000, i, day)
            sig = "synth::function_%d" % (i % 7)
            if i == 0 and self.args.large_dump:
                size = self.args.large_dump << 20
            else:
                size = 4096 + i
            body = self.dump_bytes(cid, size)
            raw = {"ProductName": "Synth", "Version": "2.%d" % (i % 3), "BuildID": "20261101000000",
                   "ReleaseChannel": "nightly", "CrashTime": str(1790000000 + i),
                   "URL": "https://example.com/synth-%d" % i, "Comments": "synthetic",
                   "uuid": cid, "submitted_timestamp": "2026-11-%02dT12:00:00.000000+00:00" % day,
                   "metadata": {"dump_checksums": {"upload_file_minidump": hashlib.sha256(body).hexdigest()},
                                "payload": "multipart", "throttle_rule": "accept_everything"}}
            proc = {"uuid": cid, "crash_id": cid, "signature": sig, "product": "Synth",
                    "version": raw["Version"], "release_channel": "nightly", "build": "20261101000000",
                    "date_processed": raw["submitted_timestamp"], "os_name": "Linux",
                    "cpu_arch": "amd64", "reason": "SIGSEGV / SEGV_MAPERR", "address": "0x0",
                    "crashing_thread": 0, "uptime": 10 + i, "install_age": 1000,
                    "user_comments": "synthetic", "url": raw["URL"],
                    "json_dump": {"crash_info": {"type": "SIGSEGV / SEGV_MAPERR", "address": "0x0",
                                                  "crashing_thread": 0}, "threads": [], "modules": []}}
            self.crashes[cid] = {"raw": raw, "processed": proc, "dump_bytes": body,
                                 "protected": ["URL", "Comments", "metadata", "user_comments", "url"],
                                 "date": raw["submitted_timestamp"]}

    @staticmethod
    def dump_bytes(cid, size):
        # Not a real minidump: deterministic bytes of the wanted size.
        seed = hashlib.sha256(cid.encode()).digest()
        reps = size // len(seed) + 1
        return (b"MDMP" + (seed * reps))[:size]

    def public(self, doc, protected):
        return {k: v for k, v in doc.items() if k not in protected}

    def tick(self):
        with self.lock:
            self.count += 1
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
            return self.count

    def untick(self):
        with self.lock:
            self.inflight -= 1

    def write_log(self, line):
        if self.log:
            with self.lock:
                self.log.write(line + "\n")
                self.log.flush()


def bad_request(msg):
    return 400, {"error": "Bad request: BadArgumentError: " + msg}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeCrashStats/1.0"

    def log_message(self, fmt, *args):  # quiet
        pass

    def send_json(self, status, doc, raw_text=None):
        body = raw_text.encode() if raw_text is not None else json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        st = self.server.state
        n = st.tick()
        try:
            self.handle_get(st, n)
        finally:
            st.untick()

    def do_POST(self):
        self.send_json(405, {"error": "Method not allowed"})

    def handle_get(self, st, n):
        a = st.args
        url = urlsplit(self.path)
        q = parse_qs(url.query, keep_blank_values=True)
        token = self.headers.get("Auth-Token")
        auth = "none" if token is None else ("good" if token == a.token else
                                            "weak" if token == a.weak_token else "bad")
        st.write_log("%d %s %s auth=%s inflight=%d" % (n, url.path, url.query, auth, st.inflight))
        if a.delay_ms:
            time.sleep(a.delay_ms / 1000.0)
        if a.throttle_every and n % a.throttle_every == 0:
            body = b"Too Many Requests"
            self.send_response(429)
            self.send_header("Content-Type", "text/plain")
            if a.retry_after is not None:
                self.send_header("Retry-After", str(a.retry_after))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if a.fail_every and n % a.fail_every == 0:
            self.send_json(502, None, raw_text="<html><body>502 Bad Gateway</body></html>")
            return
        if a.drop_every and n % a.drop_every == 0:
            # Promise a body, send half of nothing useful, hang up.
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b'{"hits": [')
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        if auth == "bad":
            self.send_json(403, {"error": "API Token not matched"})
            return
        full = auth == "good"
        m = re.match(r"^/api/([A-Za-z]+)/$", url.path)
        if not m:
            self.send_json(404, {"error": "Page not found"})
            return
        name = m.group(1)
        if name == "ProcessedCrash":
            self.crash(st, q, full, processed=True)
        elif name == "RawCrash":
            self.crash(st, q, full, processed=False)
        elif name == "SuperSearch":
            status, doc = self.supersearch(st, q, full)
            self.send_json(status, doc)
        elif name == "SignatureFirstDate":
            self.by_signature(a.fixtures, "api-signature-first-date.json", q)
        elif name == "Bugs":
            self.by_signature(a.fixtures, a.bugs or "api-bugs.json", q)
        else:
            self.send_json(404, {"error": "No service called '%s'" % name})

    def by_signature(self, fx, fname, q):
        sigs = q.get("signatures")
        if not sigs:
            self.send_json(400, {"errors": {"signatures": ["This field is required."]}})
            return
        doc = json.load(open(os.path.join(fx, fname)))
        hits = [h for h in doc["hits"] if h["signature"] in sigs]
        self.send_json(200, {"hits": hits, "total": len(hits)})

    def crash(self, st, q, full, processed):
        ids = q.get("crash_id")
        if not ids or not ids[0]:
            self.send_json(400, {"errors": {"crash_id": ["This field is required."]}})
            return
        cid = ids[0]
        if not CRASH_ID_RE.match(cid):
            self.send_json(400, {"error": "Bad request: BadArgumentError: Bad value for parameter(s) 'uuid'"})
            return
        fmt = q.get("format", ["meta"])[0]
        if not processed and fmt not in ("meta", "raw"):
            self.send_json(400, {"error": "Bad request: BadArgumentError: Bad value for parameter(s) 'format'"})
            return
        c = st.crashes.get(cid)
        if c is None:
            self.send_json(404, {"error": "Not found: CrashIDNotFound %s" % cid})
            return
        if cid in st.args.wrong_type and processed:
            doc = dict(c["processed"])
            doc["uptime"] = str(doc.get("uptime", 0))
            self.send_json(200, doc if full else st.public(doc, c["protected"]))
            return
        if cid in st.args.malformed:
            self.send_json(200, None, raw_text='{"uuid": "%s", "signature": "trunc' % cid)
            return
        if not processed and fmt == "raw":
            if not full:
                self.send_json(403, {"error": "Binary response requires permissions: View Raw Dumps"})
                return
            name = q.get("name", ["dump"])[0]
            if name not in ("dump", "upload_file_minidump"):
                self.send_json(404, {"error": "Not found: CrashIDNotFound %s" % cid})
                return
            if cid in st.args.html_dump:
                # A 200 that is not a dump: a page that even echoes the token.
                body = ("<html><body>Signed in with %s</body></html>" %
                        self.headers.get("Auth-Token", "")).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if "dump_bytes" in c:
                body = c["dump_bytes"]
            else:
                with open(c["dump_path"], "rb") as f:
                    body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for off in range(0, len(body), 1 << 20):
                self.wfile.write(body[off:off + (1 << 20)])
                if st.args.dump_chunk_delay_ms:
                    self.wfile.flush()
                    time.sleep(st.args.dump_chunk_delay_ms / 1000.0)
            return
        doc = c["processed"] if processed else c["raw"]
        if not full:
            doc = st.public(doc, c["protected"])
        self.send_json(200, doc)

    def supersearch(self, st, q, full):
        def ints(name, default):
            v = q.get(name, [str(default)])[-1]
            if not re.match(r"^-?[0-9]+$", v):
                return None, (400, {"errors": {name: ["Enter a whole number."]}})
            return int(v), None
        number, err = ints("_results_number", 100)
        if err:
            return err
        offset, err = ints("_results_offset", 0)
        if err:
            return err
        facets_size, err = ints("_facets_size", 50)
        if err:
            return err
        if number > 1000:
            return bad_request("_results_number cannot be greater than 1,000")
        if number + offset > 10000:
            return bad_request("_results_offset + _results_number cannot be greater than 10,000")
        columns = q.get("_columns", ["uuid", "date", "signature", "product", "version"])
        for col in columns:
            if col not in FIELDS or (col in PROTECTED_FIELDS and not full):
                return bad_request("Unknown field '%s'" % col)
        facets = q.get("_facets", ["signature"])
        for f in facets:
            if f not in FIELDS:
                return bad_request("Unknown field '%s'" % f)
        rows = []
        for cid, c in st.crashes.items():
            p = c["processed"]
            row = {"uuid": cid, "date": c["date"]}
            for f, key in FIELDS.items():
                if f not in row:
                    row[f] = p.get(key)
            rows.append(row)
        # Filters: several values of a field are OR-ed, ranges AND-ed.
        for field, values in q.items():
            if field.startswith("_"):
                continue
            if field not in FIELDS:
                continue  # unknown filters are ignored, as Socorro does
            if field in PROTECTED_FIELDS and not full:
                continue  # and so are protected ones without access
            if field == "date":
                for v in values:
                    m = re.match(r"^(>=|<=|>|<)(\d{4}-\d{2}-\d{2})", v)
                    if not m:
                        if re.match(r"^\d", v):
                            return bad_request("date must have a prefix operator")
                        return bad_request("Bad value for parameter date: not a valid datetime")
                    op, day = m.groups()
                    cmp = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b,
                           ">": lambda a, b: a > b, "<": lambda a, b: a < b}[op]
                    rows = [r for r in rows if cmp(r["date"][:10], day)]
                continue
            if field == "product":
                known = {c["processed"].get("product") for c in st.crashes.values()}
                bad = [v for v in values if v.lstrip("=!") not in known]
                if bad:
                    return bad_request("Bad value for parameter(s) 'Not valid products: %s'" % ", ".join(bad))

            def match(val, v):
                neg = v.startswith("!")
                if neg:
                    v = v[1:]
                val = "" if val is None else str(val)
                if v.startswith("~"):
                    ok = v[1:].lower() in val.lower()
                elif v.startswith("^"):
                    ok = val.startswith(v[1:])
                elif v.startswith("$"):
                    ok = val.endswith(v[1:])
                elif v.startswith("="):
                    ok = val == v[1:]
                elif v == "__null__":
                    ok = val == ""
                else:
                    ok = val == v
                return ok != neg
            rows = [r for r in rows if any(match(r.get(field), v) for v in values)]
        for s in reversed(q.get("_sort", [])):
            key = s.lstrip("-")
            if key in FIELDS:
                rows.sort(key=lambda r: str(r.get(key) or ""), reverse=s.startswith("-"))
        total = len(rows)
        facet_doc = {}
        if facets_size > 0:
            for f in facets:
                counts = {}
                for r in rows:
                    counts[r.get(f)] = counts.get(r.get(f), 0) + 1
                terms = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:facets_size]
                facet_doc[f] = [{"term": t, "count": c} for t, c in terms]
        page = rows[offset:offset + number]
        hits = [{col: r.get(col) for col in columns} for r in page]
        return 200, {"hits": hits, "total": total, "facets": facet_doc, "errors": []}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", default="../shared/crashstats-fixtures")
    ap.add_argument("--dumps", default="../shared/corpus/dumps")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--token", default="")
    ap.add_argument("--weak-token", default="")
    ap.add_argument("--throttle-every", type=int, default=0)
    ap.add_argument("--retry-after", type=int)
    ap.add_argument("--fail-every", type=int, default=0)
    ap.add_argument("--drop-every", type=int, default=0)
    ap.add_argument("--malformed", action="append", default=[])
    ap.add_argument("--wrong-type", action="append", default=[])
    ap.add_argument("--html-dump", action="append", default=[],
                    help="answer this id's minidump with a 200 HTML page")
    ap.add_argument("--synthetic", type=int, default=0)
    ap.add_argument("--large-dump", type=int, default=0)
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--dump-chunk-delay-ms", type=int, default=0,
                    help="a pause after each MB of a minidump (a slow download, to kill)")
    ap.add_argument("--bugs", help="the Bugs API's answers instead of api-bugs.json")
    args = ap.parse_args()
    if not args.token:
        args.token = "\0never"  # no header value can match
    if not args.weak_token:
        args.weak_token = "\0never"
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.state = State(args)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
