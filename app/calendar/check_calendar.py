"""Cross-checks the portal's working-day calendar (app/calendar/cn.json) against an
independent source, PyPI `chinesecalendar`, day by day for every year the portal
publishes, and the known yearly totals. Exit 0 only if everything agrees.

    python3 app/calendar/check_calendar.py   (scripts/test.sh runs it in target/py)
"""

import datetime
import json
import os
import sys

import chinese_calendar

HERE = os.path.dirname(os.path.abspath(__file__))
KNOWN_TOTALS = {2024: 251, 2025: 248, 2026: 248}


def days(start, end):
    d = start
    while d <= end:
        yield d
        d += datetime.timedelta(days=1)


def main():
    with open(os.path.join(HERE, "cn.json"), encoding="utf-8") as f:
        years = json.load(f)
    failures = 0
    for y in years:
        year = y["year"]
        off = set()
        for h in y["holidays"]:
            off.update(days(datetime.date.fromisoformat(h["from"]), datetime.date.fromisoformat(h["to"])))
        make_up = {datetime.date.fromisoformat(w["date"]) for w in y["workdays"]}
        total = 0
        for d in days(datetime.date(year, 1, 1), datetime.date(year, 12, 31)):
            ours = d in make_up or (d.weekday() < 5 and d not in off)
            theirs = chinese_calendar.is_workday(d)
            total += ours
            if ours != theirs:
                failures += 1
                print(f"{d}: the portal says {'working day' if ours else 'day off'}, chinesecalendar says "
                      f"{'working day' if theirs else 'day off'}")
        if KNOWN_TOTALS.get(year) not in (None, total):
            failures += 1
            print(f"{year}: {total} working days, expected {KNOWN_TOTALS[year]}")
        print(f"{year}: {total} working days, every day as chinesecalendar {chinese_calendar.__version__} has it"
              if failures == 0 else f"{year}: checked")
    missing = set(KNOWN_TOTALS) - {y["year"] for y in years}
    if missing:
        failures += 1
        print(f"years missing from cn.json: {sorted(missing)}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
