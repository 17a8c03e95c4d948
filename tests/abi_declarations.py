#!/usr/bin/env python3
"""The ABI-relevant declarations of kiln.h, one per line, normalized.

Usage:
  abi_declarations.py kiln.h              print them (to refresh the baseline)
  abi_declarations.py kiln.h BASELINE     fail if any baseline line is missing

A released declaration may never change or disappear (kiln.h only grows), so
every line of capi/abi/kiln.abi must still be produced by the header. Added
declarations pass; add them to the baseline when they are released.
"""
import re
import sys


def declarations(header_text):
    text = re.sub(r"/\*.*?\*/", " ", header_text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    out = []
    # Constants that are part of the contract: status codes and versions.
    for name, value in re.findall(r"#\s*define\s+(KILN_[A-Z0-9_]+)\s+(\(?-?\d+\)?)\s*$", text, flags=re.M):
        # Versions are meant to move: the library's, and the document
        # encoding's (it goes up when a tag is added; the ABI does not change).
        if not name.startswith("KILN_VERSION") and name != "KILN_ENCODING_VERSION":
            out.append(f"#define {name} {value}")
    body = re.sub(r"#[^\n]*", " ", text)  # drop other preprocessor lines
    for stmt in body.split(";"):
        stmt = " ".join(stmt.split())
        stmt = re.sub(r"\b(KILN_EXPORT|KILN_NODISCARD|KILN_NULLABLE|KILN_NONNULL)\b", "", stmt)
        stmt = " ".join(stmt.replace("extern \"C\" {", "").replace("}", "").split())
        if "kiln_" in stmt:
            out.append(stmt + ";")
    return sorted(set(out))


def main():
    decls = declarations(open(sys.argv[1]).read())
    if len(sys.argv) == 2:
        print("\n".join(decls))
        return 0
    baseline = [line for line in open(sys.argv[2]).read().splitlines() if line and not line.startswith("#!")]
    missing = [line for line in baseline if line not in decls]
    if missing:
        print("kiln.h changed or removed released declarations (the ABI only grows):")
        for line in missing:
            print("  " + line)
        return 1
    added = len(decls) - len(baseline)
    print(f"ABI baseline holds: {len(baseline)} declarations unchanged, {added} added since")
    return 0


if __name__ == "__main__":
    sys.exit(main())
