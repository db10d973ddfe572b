#!/usr/bin/python3
"""Differential oracle for src/pe: prints one JSON object per input file with what pefile
(erocarrera/pefile, the Debian python3-pefile package) parses, in the shape test/pe/pefile.test.ts
compares against parsePe().

Usage: /usr/bin/python3 pefile-dump.py FILE...
Exit status 3 (and a message on stderr) when `import pefile` fails, so the test can skip.
Counts are like for like: `imports` counts DIRECTORY_ENTRY_IMPORT functions only, `delayImports`
counts DIRECTORY_ENTRY_DELAY_IMPORT functions separately (parsePe returns both in `imports`,
flagged `delayLoad`).
"""
import json
import sys

try:
    import pefile
except Exception as exc:  # noqa: BLE001 - any import failure means "skip"
    sys.stderr.write("pefile not importable: %s\n" % exc)
    sys.exit(3)


def text(b):
    if b is None:
        return None
    if isinstance(b, bytes):
        return b.decode("utf-8", "backslashreplace")
    return str(b)


def dump(path):
    out = {"path": path}
    try:
        pe = pefile.PE(path)
    except Exception as exc:  # noqa: BLE001
        out["ok"] = False
        out["error"] = "%s: %s" % (type(exc).__name__, exc)
        return out
    out["ok"] = True
    out["machine"] = pe.FILE_HEADER.Machine
    out["sections"] = [
        {
            "name": s.Name.rstrip(b"\0").decode("latin-1"),
            "sizeOfRawData": s.SizeOfRawData,
            "entropy": s.get_entropy(),
        }
        for s in pe.sections
    ]
    imports = getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])
    delay = getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", [])
    out["importModules"] = len(imports)
    out["imports"] = sum(len(e.imports) for e in imports)
    out["delayImportModules"] = len(delay)
    out["delayImports"] = sum(len(e.imports) for e in delay)
    exp = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
    out["exports"] = None if exp is None else len(exp.symbols)
    strings = {}
    for group in getattr(pe, "FileInfo", None) or []:
        for entry in group:
            for table in getattr(entry, "StringTable", None) or []:
                for k, v in table.entries.items():
                    strings.setdefault(text(k), text(v))
    out["versionStrings"] = strings
    out["checksum"] = pe.generate_checksum()
    out["warnings"] = len(pe.get_warnings())
    return out


for p in sys.argv[1:]:
    print(json.dumps(dump(p)))
