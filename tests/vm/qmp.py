#!/usr/bin/python3
"""Minimal QMP client used by tests/vm/mkvmcore.sh (standard library only).

Usage:
  qmp.py SOCKET dump OUTFILE [--format elf] [--timeout SECONDS]
      qmp_capabilities, then dump-guest-memory (paging=false, detached) to
      file:OUTFILE; waits for the DUMP_COMPLETED event (polling query-dump
      for progress); exits non-zero if the dump failed or timed out.
  qmp.py SOCKET quit
      Ask QEMU to exit.
  qmp.py SOCKET cmd NAME [JSON-ARGS]
      Run one command and print its return value as JSON.
"""

import json
import os
import socket
import sys
import time


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, timeout=30.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.events = []
        greeting = self._read()
        if "QMP" not in greeting:
            raise QMPError("unexpected greeting: %r" % greeting)
        self.command("qmp_capabilities")

    def _read(self, timeout=None):
        """Read one JSON message; None on timeout."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        try:
            while b"\n" not in self.buf:
                data = self.sock.recv(65536)
                if not data:
                    raise QMPError("QMP connection closed")
                self.buf += data
        except socket.timeout:
            return None
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, args=None, timeout=600.0):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QMPError("timeout waiting for reply to %s" % name)
            resp = self._read(timeout=left)
            if resp is None:
                continue
            if "event" in resp:
                self.events.append(resp)
            elif "error" in resp:
                raise QMPError("%s: %s" % (name, resp["error"].get("desc", resp["error"])))
            elif "return" in resp:
                return resp["return"]

    def wait_event(self, name, timeout):
        """Return the first event called NAME (queued or new), or None."""
        for i, ev in enumerate(self.events):
            if ev["event"] == name:
                return self.events.pop(i)
        resp = self._read(timeout=timeout)
        if resp is None:
            return None
        if resp.get("event") == name:
            return resp
        if "event" in resp:
            self.events.append(resp)
        return None


def do_dump(q, outfile, fmt, timeout):
    start = time.monotonic()
    q.command("dump-guest-memory", {
        "paging": False,
        "protocol": "file:" + os.path.abspath(outfile),
        "format": fmt,
        "detach": True,
    })
    last_report = 0.0
    while True:
        ev = q.wait_event("DUMP_COMPLETED", timeout=1.0)
        if ev is not None:
            result = ev.get("data", {}).get("result", {})
            err = ev.get("data", {}).get("error")
            if err or result.get("status") != "completed":
                raise QMPError("dump failed: %s" % (err or result))
            print("qmp: dump completed: %d bytes in %.1f s"
                  % (result.get("total", 0), time.monotonic() - start))
            return
        st = q.command("query-dump")
        if st.get("status") == "failed":
            raise QMPError("dump failed (query-dump)")
        now = time.monotonic()
        if now - start > timeout:
            raise QMPError("dump timed out after %d s" % timeout)
        if now - last_report >= 10:
            last_report = now
            total = st.get("total") or 1
            print("qmp: dump %s %d/%d (%.0f%%)"
                  % (st.get("status"), st.get("completed", 0), total,
                     100.0 * st.get("completed", 0) / total), flush=True)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    sock, action, rest = argv[1], argv[2], argv[3:]
    q = QMP(sock)
    if action == "dump":
        if not rest:
            sys.exit(__doc__)
        outfile, fmt, timeout = rest[0], "elf", 1800.0
        i = 1
        while i < len(rest):
            if rest[i] == "--format":
                fmt = rest[i + 1]
            elif rest[i] == "--timeout":
                timeout = float(rest[i + 1])
            else:
                sys.exit("unknown option %s" % rest[i])
            i += 2
        do_dump(q, outfile, fmt, timeout)
    elif action == "quit":
        try:
            q.command("quit", timeout=10)
        except QMPError:
            pass  # QEMU may close the socket before replying
    elif action == "cmd":
        args = json.loads(rest[1]) if len(rest) > 1 else None
        print(json.dumps(q.command(rest[0], args)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (QMPError, OSError) as e:
        sys.exit("qmp: error: %s" % e)
