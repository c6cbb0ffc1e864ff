"""The per-role summary of an API fuzz run, from what each role's run left in its folder.

Usage: summary.py RUN_DIR ROLE... ; prints one line per role and exits 1 when any role failed.

Each role's folder holds schemathesis.log (the tool's own output), stats.json (what the hooks
counted), exit (schemathesis's exit status), seconds (how long the run took) and junit.xml.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def number(pattern: str, text: str) -> int | None:
    found = re.findall(pattern, text, flags=re.MULTILINE)
    return int(found[-1]) if found else None


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


# The table's columns: heading and width (the first is left-aligned).
COLUMNS = [
    ("role", 13),
    ("result", 7),
    ("operations", 10),
    ("examples", 9),
    ("requests", 9),
    ("failures", 8),
    ("errors", 6),
    ("leaks", 5),
    ("relogins", 8),
    ("seconds", 7),
]


def row(values: list[object]) -> str:
    cells = []
    for index, (value, (_, width)) in enumerate(zip(values, COLUMNS, strict=True)):
        text = "?" if value is None else str(value)
        cells.append(text.ljust(width) if index < 2 else text.rjust(width))
    return " ".join(cells)


def failure_lines(log: str) -> list[str]:
    """The failing operations of a schemathesis log and what failed in each."""
    lines = []
    for line in log.splitlines():
        heading = re.match(r"^_+ (.+?) _+$", line)
        if heading:
            lines.append(f"  {heading.group(1)}")
        elif re.match(r"^- (ST\d+|Custom check)", line.strip()) or " contains " in line:
            lines.append(f"      {line.strip()}")
    return lines


def main() -> int:
    run = Path(sys.argv[1])
    roles = sys.argv[2:]
    header = row([heading for heading, _ in COLUMNS])
    print(header)
    print("-" * len(header))
    failed = []
    total_examples = total_requests = total_seconds = 0
    for role in roles:
        folder = run / role
        log = read(folder / "schemathesis.log")
        try:
            stats = json.loads(read(folder / "stats.json") or "{}")
        except ValueError:
            stats = {}
        status = read(folder / "exit").strip() or "?"
        seconds = read(folder / "seconds").strip()
        tested = number(r"^\s*Tested:\s*(\d+)", log)
        selected = number(r"^\s*Selected:\s*(\d+)/\d+", log)
        examples = number(r"^\s*(\d+) generated", log)
        failures = number(r"(\d+) failures?\b", log) or 0
        errors = number(r"(\d+) errors?\b(?=.* in [\d.]+s)", log) or 0
        requests = sum(stats.get("statuses", {}).values())
        leaks = stats.get("leaks", 0)
        relogins = max(stats.get("logins", 0) - 1, 0)
        ok = status == "0" and failures == 0 and errors == 0 and leaks == 0
        if not ok:
            failed.append(role)
        operations = f"{tested}/{selected}" if tested is not None else None
        result = "ok" if ok else "FAILED"
        print(
            row(
                [
                    role,
                    result,
                    operations,
                    examples,
                    requests,
                    failures,
                    errors,
                    leaks,
                    relogins,
                    seconds or None,
                ]
            )
        )
        total_examples += examples or 0
        total_requests += requests
        total_seconds += int(seconds) if seconds.isdigit() else 0
    print("-" * len(header))
    result = "FAILED" if failed else "ok"
    print(
        row(
            ["all roles", result, "", total_examples, total_requests, "", "", "", "", total_seconds]
        )
    )
    for role in failed:
        folder = run / role
        print(f"\n{role}: see {folder / 'schemathesis.log'} (JUnit: {folder / 'junit.xml'})")
        print("\n".join(failure_lines(read(folder / "schemathesis.log"))))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
