#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for the registry tests.

  fault_proxy.py --upstream 127.0.0.1:PORT --rules JSON [--log FILE]

Listens on a free 127.0.0.1 port (printed as "PORT=N" on stdout), forwards
every request to the upstream registry (Host header kept, so the registry's
Location headers point back here), and applies the first matching rule that
still has uses left. A rule: {"method": "GET", "path": "regex", "times": N,
"action": ...} with actions
  "status"  answer `status` (and `retry_after` as Retry-After) instead of forwarding
  "reset"   forward, send the headers and half the body, then reset the connection
  "stall"   forward, send the headers and half the body, then sleep `seconds`
  "corrupt" forward with one body byte flipped (same length)
Each applied rule is appended to --log as "ACTION METHOD PATH".
"""
import argparse, http.client, json, re, socket, struct, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--rules", default="[]")
    ap.add_argument("--log", default="")
    a = ap.parse_args()
    rules = json.loads(a.rules)
    lock = threading.Lock()
    host, port = a.upstream.rsplit(":", 1)

    def take_rule(method, path):
        with lock:
            for r in rules:
                if r.get("times", 1) <= 0:
                    continue
                if r.get("method") and r["method"] != method:
                    continue
                if not re.search(r.get("path", ""), path):
                    continue
                r["times"] = r.get("times", 1) - 1
                if a.log:
                    with open(a.log, "a") as f:
                        f.write("%s %s %s\n" % (r["action"], method, path))
                return r
        return None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def handle_any(self):
            method = self.command
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            rule = take_rule(method, self.path)
            if rule and rule["action"] == "status":
                data = b'{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}'
                self.send_response(rule.get("status", 503))
                if "retry_after" in rule:
                    self.send_header("Retry-After", str(rule["retry_after"]))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(data)
                return
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            conn.request(method, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read() if method != "HEAD" else b""
            conn.close()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            clen = resp.getheader("Content-Length")
            self.send_header("Content-Length", clen if method == "HEAD" and clen else str(len(data)))
            self.end_headers()
            if method == "HEAD":
                return
            if rule and rule["action"] == "corrupt" and data:
                data = bytearray(data)
                data[len(data) // 2] ^= 0xFF
                data = bytes(data)
            elif rule and rule["action"] in ("reset", "stall"):
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                if rule["action"] == "stall":
                    time.sleep(rule.get("seconds", 30))
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            self.wfile.write(data)

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print("PORT=%d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
