#!/usr/bin/python3
"""The python3-pefile peer of bench/triage.ts: one process parses every PE file named on stdin
(one path a line), fully (pefile.PE with every directory), computes each section's entropy
(SectionStructure.get_entropy) and the PE checksum (generate_checksum), and prints one line per
file. Source: pefile (https://github.com/erocarrera/pefile)."""
import sys

import pefile

for line in sys.stdin:
    path = line.rstrip("\n")
    try:
        pe = pefile.PE(path)
        entropies = [round(s.get_entropy(), 4) for s in pe.sections]
        print(path, pe.generate_checksum(), entropies)
        pe.close()
    except Exception as e:  # a malformed file is reported, not fatal, as triage does
        print(path, "error", e)
