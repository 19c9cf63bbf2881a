#!/usr/bin/env python3
"""Copies an xl save file (xl header, libxl v2 stream, libxc v3 stream) byte for byte, leaving out its
PAGE_DATA records: what remains of a real save (headers, CPU policies, HVM context and params, the
device model's records) is small enough to keep as a test fixture. Every other record is copied as it
was, so the result is the toolstack's own bytes, minus guest memory.

Usage: scripts/strip-pages.py IN.xlsave OUT
"""
import struct
import sys

LIBXC_PAGE_DATA = 0x00000001
LIBXL_LIBXC_CONTEXT = 0x00000001


def pad(n):
    return (8 - n % 8) % 8


def main(src, dst):
    data = open(src, "rb").read()
    out = bytearray()
    at = 48
    opt_len = struct.unpack_from("<I", data, 44)[0]
    at += opt_len
    out += data[:at]
    out += data[at:at + 16]  # libxl header
    at += 16
    dropped = 0
    while True:
        rtype, length = struct.unpack_from("<II", data, at)
        end = at + 8 + length + pad(length)
        out += data[at:end]
        at = end
        if rtype == LIBXL_LIBXC_CONTEXT:
            out += data[at:at + 40]  # libxc image and domain headers
            at += 40
            while True:
                ctype, clen = struct.unpack_from("<II", data, at)
                cend = at + 8 + clen + pad(clen)
                if ctype == LIBXC_PAGE_DATA:
                    dropped += 1
                else:
                    out += data[at:cend]
                at = cend
                if ctype == 0:
                    break
        elif rtype == 0:
            break
    open(dst, "wb").write(out)
    print(f"{src}: {len(data)} bytes, {dropped} PAGE_DATA records left out; {dst}: {len(out)} bytes")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
