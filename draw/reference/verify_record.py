"""Verify a published Gongkai draw record (SPEC.md §12-13) with the independent
Python implementation written from SPEC.md alone.

    python3 draw/reference/verify_record.py record.json [--commitment HEX] [--recusal-head HEX]

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
    options = {"--commitment": None, "--recusal-head": None}
    while len(args) >= 3 and args[-2] in options:
        options[args[-2]] = args[-1].lower()
        args = args[:-2]
    if len(args) != 1:
        sys.exit(__doc__)
    published, head = options["--commitment"], options["--recusal-head"]
    with open(args[0], encoding="utf-8") as f:
        try:
            record = g.loads(f.read())  # duplicate keys are errors (§3.1)
        except g.DrawError as e:
            print(f"the record cannot be read: {e}")
            sys.exit(1)
    diffs = g.verify(record, published, head)
    if not diffs:
        if record["randomness"].get("source") == "demo":
            print("note: demo randomness -- NOT public randomness, for demonstrations only")
        if published is None:
            print("note: consistency checked, NOT timing: give --commitment with the commitment published "
                  "before the randomness (SPEC §13 step 2)")
        recusals = record.get("recusals", [])
        if recusals and not all("prev" in r for r in recusals):
            print("note: the recusals are not chained (a v1 record from before the recusal chain): "
                  "their reasons and dates are not bound (SPEC §11.3)")
        elif recusals and head is None:
            print("note: the recusal chain was not checked against a published head (--recusal-head)")
        print("match")
        sys.exit(0)
    print(f"{len(diffs)} difference(s):")
    for d in diffs:
        print(f"  {d}")
    sys.exit(1)
