"""Check the independent Python implementation (written from SPEC.md alone)
against every golden vector in draw/vectors/.  Exit 0 only if all match.

    python3 draw/reference/check_vectors.py        (from the repository root)
"""

import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gongkai_draw as g  # noqa: E402

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors")
failures = 0


def cmp(vector_value, our_value, place, diffs):
    return g.compare(vector_value, our_value, place, diffs, names=("vector", "ours"))


def report(name, diffs):
    global failures
    if diffs:
        failures += 1
        print(f"✗ {name}")
        for d in diffs:
            print(f"    {d}")
    else:
        print(f"✓ {name}")


def check_primitives(p):
    # ChaCha20 keystream, all-zero key
    s = g.Stream(bytes(32))
    words = [f"{s.next_u64():016x}" for _ in p["chacha20_zero_key"]["first_u64_words_hex"]]
    report("primitives: chacha20 zero key", cmp(p["chacha20_zero_key"]["first_u64_words_hex"], words, "words", []))

    # stream key and its encoding
    st = p["stream"]
    seed = bytes.fromhex(st["seed"])
    enc = g.stream_key_encoding(seed, "objects", "A")
    diffs = cmp(st["encoding"], enc.hex(), "encoding", [])
    cmp(st["stream_key"], g.stream_key(seed, "objects", "A").hex(), "stream_key", diffs)
    report("primitives: stream key", diffs)

    # successive U(n) calls on that stream
    strm = g.stream(seed, "objects", "A")
    got = []
    for call in p["uniform"]["calls"]:
        before = strm.words
        value = strm.uniform(int(call["n"]))
        got.append({"n": call["n"], "value": str(value), "words": strm.words - before})
    report("primitives: uniform U(n)", cmp(p["uniform"]["calls"], got, "calls", []))

    # partial Fisher-Yates: stream (seed, "objects", "B"), items 0..19, k = 5
    sel = g.partial_fisher_yates(range(20), 5, g.stream(seed, "objects", "B"))
    report("primitives: partial Fisher-Yates", cmp(p["partial_fisher_yates"]["selected"], sel, "selected", []))

    # RFC 3797 §4 selection, worked example
    r = p["rfc3797"]
    report("primitives: RFC 3797 example", cmp(r["selected"], g.rfc3797_select(r["key"], r["pool"], len(r["selected"])), "selected", []))


def check_vector(path):
    name = os.path.basename(path)
    v = json.load(open(path, encoding="utf-8"))
    exp = v["expected"]
    try:
        # `input_json`: the input as JSON text, where the text matters (duplicate keys)
        inp = g.loads(v["input_json"]) if "input_json" in v else v["input"]
        got = g.run_draw(inp, v["randomness"], v.get("recusals", []), link=v.get("link", False))
    except g.DrawError as e:
        if "expected_fields" in exp:
            # stated by hand: the field of every problem, in order, and words the message contains
            ours = str(e).strip().replace("\n", " | ")
            diffs = cmp(sorted(exp["expected_fields"]), sorted(all_fields(str(e))), "fields (sorted)", [])
            for words in exp.get("expected_error_contains", []):
                if words not in str(e):
                    diffs.append(f"the error does not contain {words!r}: {ours}")
            report(f"{name}: rejected as expected: {ours}", diffs)
        elif "expected_error" in exp:
            ours = str(e).strip().replace("\n", " | ")
            same_field = first_field(str(e)) == first_field(exp["expected_error"])
            note = "" if same_field else f"  (field differs: expected {exp['expected_error']!r})"
            report(f"{name}: rejected as expected: {ours}{note}", [])
        else:
            report(name, [f"unexpected error: {e}"])
        return
    if "expected_fields" in exp:
        report(name, [f"expected an error ({exp['expected_fields']!r}) but the draw succeeded"])
        return
    if "expected_error" in exp:
        if "BLS" in exp["expected_error"]:
            # SPEC §6.1: a verifier that cannot check the BLS signature must say so.
            print(f"– {name}: not checked here: the expected refusal is a BLS signature check, "
                  f"which this standard-library reference cannot do (SPEC §6.1)")
            return
        report(name, [f"expected an error ({exp['expected_error']!r}) but the draw succeeded"])
        return
    diffs = []
    for k in ("commitment", "objects_root", "seed", "result", "recusals") + (("recusal_head",) if v.get("link") else ()):
        cmp(exp[k], got[k], k, diffs)
    report(name, diffs)

    # and the record verifier: the honest record verifies, a tampered one does not
    record = {"format": "gongkai-draw-record", "version": "v1", "input": v["input"],
              "commitment": exp["commitment"], "objects_root": exp["objects_root"],
              "committed_at": "2025-05-30T09:00:00+08:00", "randomness": v["randomness"],
              "seed": exp["seed"], "result": exp["result"], "recusals": exp["recusals"]}
    tampered = json.loads(json.dumps(record))
    tampered["result"]["strata"][0]["quota"] += 1
    diffs = [f"honest record: {d}" for d in g.verify(record)]
    if not g.verify(tampered):
        diffs.append("tampered record (quota + 1) was not detected")
    # §12 canonical order: the same strata or exclusions in another order are a difference
    for key in ("strata", "exclusions"):
        if len(record["result"][key]) > 1:
            reordered = json.loads(json.dumps(record))
            reordered["result"][key].reverse()
            if not g.verify(reordered):
                diffs.append(f"result.{key} in reverse order was not detected")
    # §11.3: a chained record's recusals are bound: an edited reason differs from the published head
    if v.get("link"):
        if g.verify(record, recusal_head=exp["recusal_head"]):
            diffs.append("the record does not verify against its own recusal chain head")
        edited = json.loads(json.dumps(record))
        edited["recusals"][0]["reason"] = "另一理由"
        for r, p in zip(edited["recusals"], g.recusal_chain(bytes.fromhex(exp["seed"]), edited["recusals"])):
            r["prev"] = p.hex()  # the editor recomputes the links too
        if g.verify(edited):
            diffs.append("the re-linked edited record is not even consistent (expected: consistent)")
        if not g.verify(edited, recusal_head=exp["recusal_head"]):
            diffs.append("an edited recusal reason was not detected against the published chain head")
    # §13 step 2: against another published commitment the record differs
    if not g.verify(record, "00" * 32):
        diffs.append("a different published commitment was not detected")
    if g.verify(record, exp["commitment"]):
        diffs.append("the record does not verify against its own published commitment")
    report(f"{name}: verify(record) accepts the record, rejects tampered copies", diffs)


def all_fields(message):
    """Every field an error names, in order."""
    lines = [l.strip() for l in message.splitlines() if l.strip()]
    if len(lines) > 1 and lines[0].startswith(("输入有", "the input has")):
        lines = lines[1:]
    return [l.split(": ")[0] for l in lines]


def first_field(message):
    """The field an error names: 'plan.team.size: …' or '  objects[3] (…).id: …'."""
    lines = [l.strip() for l in message.splitlines() if l.strip()]
    line = lines[1] if len(lines) > 1 and lines[0].startswith(("输入有", "the input has")) else lines[0]
    return line.split(": ")[0]


if __name__ == "__main__":
    check_primitives(json.load(open(os.path.join(VECTORS, "primitives.json"), encoding="utf-8")))
    for path in sorted(glob.glob(os.path.join(VECTORS, "[0-9][0-9]-*.json"))):
        check_vector(path)
    print("all vectors match" if failures == 0 else f"{failures} check(s) FAILED")
    sys.exit(1 if failures else 0)
