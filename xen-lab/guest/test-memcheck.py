#!/usr/bin/env python3
"""Proves on the host that memcheck finds what a bad migration does to memory.

Builds memcheck, runs it, and while it is stopped (as a suspended guest is) changes its memory
through /proc/PID/mem the way a faulty migration would: a hot page put back to an older copy (a
write lost), a hot page zeroed (a page allocated without its data), another page's contents in a
hot page, a changed byte in the cold region, and a file whose contents changed under it (as a page-cache
page kept without its data reads). Each must produce MEMCHECK FAIL naming the page;
an untouched run, stopped and continued, must keep printing MEMCHECK OK.

usage: test-memcheck.py [BUILD_DIR]    (prints 'memcheck: N passed, M failed'; exit 1 on a failure)
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = 4096


def build(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    exe = os.path.join(out_dir, "memcheck")
    subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-static", "-o", exe,
                    os.path.join(HERE, "memcheck.c")], check=True)
    return exe


class Run:
    def __init__(self, exe):
        self.file = tempfile.NamedTemporaryFile(prefix="memcheck-", suffix=".bin")
        self.file.write(os.urandom(5 * PAGE + 123))
        self.file.flush()
        self.proc = subprocess.Popen([exe, "1", "1", "0.2", "1", self.file.name], stdout=subprocess.PIPE, text=True,
                                     bufsize=1)
        start = self.proc.stdout.readline()
        m = re.match(r"MEMCHECK START hot=(0x[0-9a-f]+) hot_pages=(\d+) cold=(0x[0-9a-f]+) cold_pages=(\d+) files=1 file_pages=6", start)
        if not m:
            raise AssertionError("no start line: " + start)
        self.hot, self.cold = int(m.group(1), 16), int(m.group(3), 16)
        self.hot_pages, self.cold_pages = int(m.group(2)), int(m.group(4))

    def line(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if line:
                return line.strip()
        raise AssertionError("memcheck printed nothing for %d s" % timeout)

    def first_report(self):
        return self.line()

    def stopped(self):
        return Stopped(self)

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.file.close()


class Stopped:
    def __init__(self, run):
        self.run = run

    def __enter__(self):
        os.kill(self.run.proc.pid, signal.SIGSTOP)
        time.sleep(0.05)
        self.mem = open("/proc/%d/mem" % self.run.proc.pid, "r+b", buffering=0)
        return self

    def read(self, addr, n):
        self.mem.seek(addr)
        return self.mem.read(n)

    def write(self, addr, data):
        self.mem.seek(addr)
        self.mem.write(data)

    def __exit__(self, *exc):
        self.mem.close()
        os.kill(self.run.proc.pid, signal.SIGCONT)


def skip_reports(run):
    # reports printed before the change, still in the pipe
    while True:
        line = run.line()
        if "FAIL" in line or "OK" not in line:
            return line
        if time.time() > run.changed_at + 0.5:
            return line


def expect(name, exe, change, pattern):
    run = Run(exe)
    try:
        assert run.first_report().startswith("MEMCHECK OK"), "not OK before the change"
        change(run)
        run.changed_at = time.time()
        for _ in range(50):
            line = run.line()
            if re.search(pattern, line):
                print("PASS %s: %s" % (name, line))
                return True
            if "FAIL" in line:
                break
        print("FAIL %s: expected /%s/, last line: %s" % (name, pattern, line))
        return False
    finally:
        run.close()


def lost_write(run):
    k = run.hot_pages // 2
    with run.stopped() as s:
        old = s.read(run.hot + k * PAGE, 24)
    time.sleep(0.3)  # the walk rewrites page k several times
    with run.stopped() as s:
        s.write(run.hot + k * PAGE, old)


def zeroed(run):
    with run.stopped() as s:
        s.write(run.hot + 7 * PAGE, bytes(24))


def swapped(run):
    with run.stopped() as s:
        other = s.read(run.hot + 3 * PAGE, 24)
        s.write(run.hot + 9 * PAGE, other)


def cold_byte(run):
    with run.stopped() as s:
        addr = run.cold + 11 * PAGE + 100
        b = s.read(addr, 1)
        s.write(addr, bytes([b[0] ^ 0x40]))


def file_changed(run):
    with run.stopped():
        with open(run.file.name, "r+b") as f:
            f.seek(3 * PAGE + 7)
            b = f.read(1)
            f.seek(3 * PAGE + 7)
            f.write(bytes([b[0] ^ 0x01]))


def untouched(exe):
    run = Run(exe)
    try:
        assert run.first_report().startswith("MEMCHECK OK")
        with run.stopped():
            time.sleep(1.5)  # a suspend: nothing changes
        stalls = []
        for _ in range(5):
            line = run.line()
            m = re.match(r"MEMCHECK OK pages=%d .* stall_ms=(\d+)$" % (256 + 256 + 6), line)
            if not m:
                print("FAIL untouched: " + line)
                return False
            stalls.append(int(m.group(1)))
        # the stop is the guest's downtime: one report measures it, and it is gone from the next ones
        if not (max(stalls) >= 1500 and min(stalls) < 1500):
            print("FAIL untouched: the stop of 1.5 s is not the one long stall: stall_ms %s" % stalls)
            return False
        print("PASS untouched: %s (stall_ms %s)" % (line, stalls))
        return True
    finally:
        run.close()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()
    exe = build(out)
    results = [
        untouched(exe),
        expect("lost write", exe, lost_write, r"MEMCHECK FAIL hot page \d+: expected pass \d+ index \d+, found pass \d+ index \d+ check ok"),
        expect("zeroed page", exe, zeroed, r"MEMCHECK FAIL hot page 7: .* found pass 0 index 0 check bad"),
        expect("another page's contents", exe, swapped, r"MEMCHECK FAIL hot page 9: .* index 3 check ok"),
        expect("cold byte", exe, cold_byte, r"MEMCHECK FAIL cold page 11 "),
        expect("changed file", exe, file_changed, r"MEMCHECK FAIL file .*memcheck-.*\.bin: re-read checksum"),
    ]
    passed = sum(results)
    print("memcheck: %d passed, %d failed" % (passed, len(results) - passed))
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
