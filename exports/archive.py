"""The archive package of a round (for the registry and the archive): a zip of named files with a
manifest that gives each file's SHA-256 and size. Data in, bytes out: the caller gathers the files."""

import hashlib
import json
import zipfile
from pathlib import Path

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def write_archive(path, files, *, about):
    """Write `files` ([(name in the zip, bytes)]) to the zip at `path`, then manifest.json (round, time
    and, per file, its SHA-256 and size) and SHA256SUMS (the same checksums in `sha256sum -c` form)."""
    entries = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
            entries.append({"path": name, "sha256": sha256_of(content), "bytes": len(content)})
        manifest = {**about, "files": entries}
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
        sums = "".join(f"{e['sha256']}  {e['path']}\n" for e in entries)
        archive.writestr(CHECKSUMS, sums.encode())
    return Path(path)
