"""Verify a published Gongkai draw record (SPEC.md §12-13) with the independent
Python implementation written from SPEC.md alone.

    python3 draw/reference/verify_record.py record.json [--commitment HEX]

Prints "match" and exits 0 if re-running the draw reproduces the record exactly;
otherwise prints every difference and exits 1.
Note: the drand BLS signature is NOT checked (only randomness = SHA-256(signature));
check it separately, e.g. with drand-verify.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gongkai_draw as g  # noqa: E402

if __name__ == "__main__":
    args = sys.argv[1:]
    published = None
    if len(args) == 3 and args[1] == "--commitment":
        published = args[2].lower()
    elif len(args) != 1:
        sys.exit(__doc__)
    with open(args[0], encoding="utf-8") as f:
        record = json.load(f)
    diffs = g.verify(record, published)
    if not diffs:
        if record["randomness"].get("source") == "demo":
            print("note: demo randomness -- NOT public randomness, for demonstrations only")
        if published is None:
            print("note: consistency checked, NOT timing: give --commitment with the commitment published "
                  "before the randomness (SPEC §13 step 2)")
        print("match")
        sys.exit(0)
    print(f"{len(diffs)} difference(s):")
    for d in diffs:
        print(f"  {d}")
    sys.exit(1)
