"""Prints per-file pass counts from pytest junit XML files side by side.

usage: suite-table.py <work folder> <side>... (reads <work folder>/<side>.xml)
"""
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict


def counts(path):
    """file -> {passed, failed, skipped}; a test counts as passed when it has no failure/error/skip."""
    per_file = defaultdict(lambda: defaultdict(int))
    for case in ET.parse(path).iter("testcase"):
        name = case.get("classname", "").split(".")[-1] or case.get("file", "?")
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":
                outcome = "skipped"
        per_file[name][outcome] += 1
    return per_file


def main():
    work, sides = sys.argv[1], sys.argv[2:]
    results = {}
    for side in sides:
        try:
            results[side] = counts(f"{work}/{side}.xml")
        except (OSError, ET.ParseError) as error:
            print(f"{side}: no results ({error})", file=sys.stderr)
            results[side] = {}
    files = sorted({name for per_file in results.values() for name in per_file})
    header = f"{'file':<20}" + "".join(f"{side + ' pass/fail/skip':>30}" for side in sides)
    print(header)
    totals = {side: defaultdict(int) for side in sides}
    for name in files:
        row = f"{name:<20}"
        for side in sides:
            c = results[side].get(name, {})
            for key in ("passed", "failed", "skipped"):
                totals[side][key] += c.get(key, 0)
            row += f"{c.get('passed', 0):>20}/{c.get('failed', 0)}/{c.get('skipped', 0):<5}"
        print(row)
    row = f"{'TOTAL':<20}"
    for side in sides:
        t = totals[side]
        row += f"{t['passed']:>20}/{t['failed']}/{t['skipped']:<5}"
    print(row)


main()
