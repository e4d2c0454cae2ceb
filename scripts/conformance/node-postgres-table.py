"""Prints node-postgres-suite.sh's results side by side: per file its status (pass, fail, timeout)
and how many of its tests passed (node-postgres's runner prints one check mark per passed test and
stops a file at its first failure), then totals. Rows where a side differs from the first are marked.

usage: node-postgres-table.py <work folder> <side>... (reads <work folder>/<side>.results)
"""
import sys


def results(path):
    """file -> (status, tests passed), in the order the files ran."""
    rows = {}
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                name, status, passed = line.split()[:3]
                rows[name] = (status, int(passed))
    except OSError as error:
        print(f"{path}: no results ({error})", file=sys.stderr)
    return rows


def main():
    work, sides = sys.argv[1], sys.argv[2:]
    by_side = {side: results(f"{work}/{side}.results") for side in sides}
    files = list(dict.fromkeys(name for rows in by_side.values() for name in rows))
    width = max([len(name) for name in files] + [10])
    print(f"  {'file':<{width}}" + "".join(f"{side:>16}" for side in sides))
    for name in files:
        cells = [by_side[side].get(name, ("-", 0)) for side in sides]
        mark = "*" if any(cell != cells[0] for cell in cells) else " "
        print(f"{mark} {name:<{width}}" + "".join(f"{status:>11} {passed:>4}" for status, passed in cells))
    files_passed = [sum(1 for status, _ in by_side[side].values() if status == "pass") for side in sides]
    tests_passed = [sum(passed for _, passed in by_side[side].values()) for side in sides]
    print(f"  {'files passed':<{width}}" + "".join(f"{count:>11}/{len(by_side[side]):<4}" for count, side in zip(files_passed, sides)))
    print(f"  {'tests passed':<{width}}" + "".join(f"{count:>16}" for count in tests_passed))
    print("  (* : a side differs from the first)")


main()
