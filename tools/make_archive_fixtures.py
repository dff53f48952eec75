#!/usr/bin/env python3
# make_archive_fixtures.py: writes the small archives Tests/ArchivesTests extracts — a Pets-like dataset as
# .tgz and .zip, the tree they must unpack to, and hostile archives ArchiveExtractor must refuse.
"""Deterministic (fixed mtimes, owners and gzip headers; contents derived from the file names), stdlib only.

Usage: python3 tools/make_archive_fixtures.py [OUTPUT_FOLDER]   (default: Tests/ArchivesTests/Fixtures)
"""
import gzip
import hashlib
import io
import os
import shutil
import sys
import tarfile
import zipfile

MTIME = 1_700_000_000  # 2023-11-14, any fixed time will do
ZIP_TIME = (2023, 11, 14, 22, 13, 20)

# The dataset: (path, size). Sizes are a few KB so the compressed archive is big enough to truncate mid-file.
FILES = [
    ("pets/images/Abyssinian_1.jpg", 6000),
    ("pets/images/Abyssinian_2.jpg", 4500),
    ("pets/images/Bengal_1.jpg", 5200),
    ("pets/images/beagle_1.jpg", 3900),
    ("pets/images/beagle_2.jpg", 0),
    ("pets/images/Birman_été_1.jpg", 2100),  # a UTF-8 name (a pax header in the .tgz, the UTF-8 flag in the .zip)
    ("pets/annotations/list.txt", None),
    ("pets/annotations/nested/deeper/trainval.txt", None),
]
SETUID_SCRIPT = "pets/tools/run.sh"
SYMLINK = ("pets/latest.jpg", "images/Abyssinian_1.jpg")
HARDLINK = ("pets/images/Bengal_1_copy.jpg", "pets/images/Bengal_1.jpg")


def contents(path, size):
    """Incompressible bytes derived from the path (a "jpg"), or a short text for None."""
    if size is None:
        return "".join(f"{name.split('/')[-1]} {index % 3 + 1}\n" for index, (name, _) in enumerate(FILES)).encode()
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{path}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def folders_of(paths):
    seen = []
    for path in paths:
        parts = path.split("/")[:-1]
        for end in range(1, len(parts) + 1):
            folder = "/".join(parts[:end])
            if folder not in seen:
                seen.append(folder)
    return seen


def tar_info(name, kind=tarfile.REGTYPE, size=0, mode=0o644, link=""):
    info = tarfile.TarInfo(name)
    info.type, info.size, info.mode, info.linkname = kind, size, mode, link
    info.mtime, info.uid, info.gid, info.uname, info.gname = MTIME, 0, 0, "", ""
    return info


def write_tar(path, members, compress, format=tarfile.USTAR_FORMAT):
    """members: TarInfo objects, each with its data (bytes or None)."""
    raw = io.BytesIO()
    if compress:
        stream = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9)
    else:
        stream = raw
    with tarfile.open(fileobj=stream, mode="w", format=format) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    if compress:
        stream.close()
    with open(path, "wb") as out:
        out.write(raw.getvalue())


def file_member(name, data, mode=0o644):
    return tar_info(name, size=len(data), mode=mode), data


def write_zip(path, entries):
    """entries: (name, data or None for a folder)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name + ("/" if data is None else ""), date_time=ZIP_TIME)
            info.create_system = 3  # Unix, so the modes below are read
            info.external_attr = ((0o40755 if data is None else 0o100644) << 16) | (0x10 if data is None else 0)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data if data is not None else b"")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Tests", "ArchivesTests", "Fixtures")
    os.makedirs(out, exist_ok=True)
    data = {name: contents(name, size) for name, size in FILES}
    script = b"#!/bin/sh\necho pets\n"

    # The tree both dataset archives unpack to (regular files only; the test checks the links itself).
    expected = os.path.join(out, "expected")
    shutil.rmtree(expected, ignore_errors=True)
    for name, body in list(data.items()) + [(SETUID_SCRIPT, script)]:
        target = os.path.join(expected, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(body)

    names = [name for name, _ in FILES] + [SETUID_SCRIPT]
    members = [(tar_info(folder + "/", tarfile.DIRTYPE, mode=0o755), None) for folder in folders_of(names)]
    members += [file_member(name, body) for name, body in data.items()]
    members.append(file_member(SETUID_SCRIPT, script, mode=0o4755))  # the setuid bit must be dropped
    members.append((tar_info(SYMLINK[0], tarfile.SYMTYPE, link=SYMLINK[1]), None))
    members.append((tar_info(HARDLINK[0], tarfile.LNKTYPE, link=HARDLINK[1]), None))
    write_tar(os.path.join(out, "pets.tgz"), members, compress=True, format=tarfile.PAX_FORMAT)

    write_zip(os.path.join(out, "pets.zip"),
              [(folder, None) for folder in folders_of(names)] + list(data.items()) + [(SETUID_SCRIPT, script)])

    # The dataset cut at 60%: gzip and tar both end mid-file.
    with open(os.path.join(out, "pets.tgz"), "rb") as handle:
        whole = handle.read()
    with open(os.path.join(out, "truncated.tgz"), "wb") as handle:
        handle.write(whole[: len(whole) * 6 // 10])

    ok = ("pets/ok.txt", b"fine\n")
    hostile_tar = {
        "dotdot.tgz": [file_member(*ok), file_member("../evil.txt", b"escaped\n")],
        "absolute.tgz": [file_member(*ok), file_member("/tmp/runner-archives-fixture-evil.txt", b"escaped\n")],
        "symlink-outside.tgz": [file_member(*ok), (tar_info("pets/link", tarfile.SYMTYPE, link="../../outside"), None)],
        "symlink-absolute.tgz": [file_member(*ok), (tar_info("pets/passwd", tarfile.SYMTYPE, link="/etc/passwd"), None)],
        # Each link stays inside on its own; together `a` leads out (b -> .. makes b/../.. climb past the top).
        "symlink-chain.tgz": [file_member(*ok), (tar_info("pets/a", tarfile.SYMTYPE, link="b/../.."), None),
                              (tar_info("pets/b", tarfile.SYMTYPE, link=".."), None)],
        "through-symlink.tgz": [(tar_info("pets/dir", tarfile.SYMTYPE, link="."), None),
                                file_member("pets/dir/file.txt", b"through a link\n")],
        "hardlink-outside.tar": [file_member(*ok), (tar_info("pets/evil", tarfile.LNKTYPE, link="../outside.txt"), None)],
        "fifo.tar": [file_member(*ok), (tar_info("pets/pipe", tarfile.FIFOTYPE), None)],
        "device.tar": [file_member(*ok), (tar_info("pets/null", tarfile.CHRTYPE, mode=0o666), None)],
    }
    for name, members in hostile_tar.items():
        write_tar(os.path.join(out, name), members, compress=name.endswith(".tgz"))
    write_zip(os.path.join(out, "dotdot.zip"), [ok, ("../evil.txt", b"escaped\n")])
    write_zip(os.path.join(out, "absolute.zip"), [ok, ("/tmp/runner-archives-fixture-evil.txt", b"escaped\n")])


if __name__ == "__main__":
    main()
