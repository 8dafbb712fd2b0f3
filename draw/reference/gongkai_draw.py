"""Gongkai draw protocol v1 -- an independent reference implementation in Python.

Written from draw/SPEC.md alone (the Rust crate was NOT read), as a check that
the spec is enough to reimplement the protocol.  Section numbers (§) refer to
SPEC.md.  Standard library only; Python 3.11.  Readability over speed.

Main entry points:
    run_draw(input, randomness, recusals) -> {commitment, objects_root, seed, result, recusals}
    draw(canonical_input, seed, recusals) -> {result, recusals}       (§8-11 only)
    verify(record)                        -> list of differences ([] = the record checks out)
Errors (invalid input, infeasible draw) raise DrawError.
"""

import datetime
import hashlib
import json

VERSION = "v1"
U64_MAX = 2**64 - 1


class DrawError(Exception):
    """The input is invalid or the draw is infeasible; nothing may be published."""


# ---------------------------------------------------------------------------
# §2  Identifiers, text and dates.  Each checker returns None or a problem.
# ---------------------------------------------------------------------------

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

# Unicode White_Space property (SPEC §2 says "white space" without defining it).
WHITE_SPACE = set("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {
    chr(c) for c in range(0x2000, 0x200B)
}


def credit_code_problem(code):
    if not isinstance(code, str) or len(code) != 18:
        return "a credit code has exactly 18 characters"
    if any(c not in CREDIT_ALPHABET for c in code):
        return "a credit code uses only 0-9 and A-Y without I, O, S, V, Z (upper case)"
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(code[:17], CREDIT_WEIGHTS))
    check = CREDIT_ALPHABET[(31 - total % 31) % 31]
    if code[17] != check:
        return f"check character should be {check}, is {code[17]}"
    return None


def cert_problem(cert):
    if not isinstance(cert, str) or not 4 <= len(cert) <= 32:
        return "a certificate number has 4 to 32 characters"
    for c in cert:
        if not (c.isascii() and (c.isdigit() or c.isupper()) or c == "-" or "\u4e00" <= c <= "\u9fff"):
            return f"character {c!r} is not allowed in a certificate number"
    return None


def text_problem(s):
    if not isinstance(s, str):
        return "not a string"
    if not 1 <= len(s) <= 200:
        return "text has 1 to 200 characters"
    if any(0xD800 <= ord(c) <= 0xDFFF for c in s):
        return "text contains a lone surrogate"
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in s):
        return "text contains a control character"
    if s[0] in WHITE_SPACE or s[-1] in WHITE_SPACE:
        return "text has leading or trailing white space"
    return None


def draw_id_problem(s):
    ok = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    if not isinstance(s, str) or not 1 <= len(s) <= 64 or any(c not in ok for c in s):
        return "draw_id has 1 to 64 characters from A-Z a-z 0-9 - _ ."
    return None


def date_problem(s):
    if not isinstance(s, str) or len(s) != 10 or s[4] != "-" or s[7] != "-" \
            or not (s[:4] + s[5:7] + s[8:]).isascii() or not (s[:4] + s[5:7] + s[8:]).isdigit():
        return "a date is YYYY-MM-DD"
    if not 1900 <= int(s[:4]) <= 9999:
        return "the year must be 1900-9999"
    try:
        datetime.date(int(s[:4]), int(s[5:7]), int(s[8:]))
    except ValueError:
        return "not a real calendar day"
    return None


def u64_problem(x):
    if not isinstance(x, int) or isinstance(x, bool) or not 0 <= x <= U64_MAX:
        return "must be an integer 0 .. 2^64-1"
    return None


def utf8(s):
    return s.encode("utf-8")


def by_bytes(xs):
    return sorted(xs, key=utf8)


# ---------------------------------------------------------------------------
# §3.1  Reading the JSON: duplicate keys, unknown fields, null vs absent, types.
# Every problem is reported; only an input without any is validated (§3.2).
# ---------------------------------------------------------------------------

class _Obj(dict):
    """A JSON object that remembers its repeated keys (json keeps the last value)."""
    dups = ()


def _pairs(pairs):
    o, dups = _Obj(), []
    for k, v in pairs:
        if k in o:
            dups.append(k)
        o[k] = v
    o.dups = dups
    return o


def _labelled(prefix, keys_path, i, item):
    """`objects[3] (91…)`: entries of the identified lists are named by their id too."""
    ids = {("objects",): "id", ("inspectors",): "cert", ("history",): "object", ("plan", "strata"): "id"}
    path = tuple(keys_path[1:]) if keys_path[:1] == ["input"] else tuple(keys_path)
    key = ids.get(path)
    label = f" ({item[key]})" if key and isinstance(item, dict) and isinstance(item.get(key), str) else ""
    return f"{prefix}[{i}]{label}"


def duplicate_keys(value, at="", keys_path=None):
    """Every repeated key of every object, as `field` names."""
    keys_path = keys_path or []
    out = []
    if isinstance(value, dict):
        for k in getattr(value, "dups", ()):
            out.append(f"{at}.{k}" if at else k)
        for k, v in value.items():
            out += duplicate_keys(v, f"{at}.{k}" if at else k, keys_path + [k])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += duplicate_keys(v, _labelled(at, keys_path, i, v), keys_path)
    return out


def loads(text):
    """Parse JSON text; raise DrawError naming every duplicate key."""
    value = json.loads(text, object_pairs_hook=_pairs)
    dups = duplicate_keys(value)
    if dups:
        raise DrawError(f"the input has {len(dups)} problem(s):\n" + "".join(f"  {d}: duplicate key\n" for d in dups))
    return value


def _kind(v):
    return json.dumps(v) if v is None or isinstance(v, (bool, int, float)) else type(v).__name__


class _Reader:
    """Reads a document field by field, collecting every type problem (§3.1)."""

    def __init__(self):
        self.problems = []

    def bad(self, field, message):
        self.problems.append(f"{field}: {message}")

    @staticmethod
    def join(at, key):
        return f"{at}.{key}" if at else key

    def obj(self, v, at, fields):
        if not isinstance(v, dict):
            self.bad(at or "input", f"must be a JSON object, found {_kind(v)}")
            return None
        for k in v:
            if k not in fields:
                self.bad(self.join(at, k), "unknown field")
        return v

    def required(self, m, at, key):
        if key not in m:
            self.bad(self.join(at, key), "the field is missing")
            return None
        if m[key] is None:
            self.bad(self.join(at, key), "must not be null")
            return None
        return m[key]

    def defaulted(self, m, at, key):
        if key in m and m[key] is None:
            self.bad(self.join(at, key), "must not be null; leave the field out for its default")
            return None
        return m.get(key)

    def string(self, v, at):
        if not isinstance(v, str):
            self.bad(at, f"must be a string, found {_kind(v)}")

    def req_string(self, m, at, key):
        v = self.required(m, at, key)
        if v is not None:
            self.string(v, self.join(at, key))

    def nullable_string(self, m, at, key):
        if m.get(key) is not None:
            self.string(m[key], self.join(at, key))

    def u64(self, v, at):
        if u64_problem(v):
            self.bad(at, f"must be an integer 0 .. 2^64-1 without fraction or exponent, found {_kind(v)}")

    def req_u64(self, m, at, key):
        v = self.required(m, at, key)
        if v is not None:
            self.u64(v, self.join(at, key))

    def boolean(self, v, at):
        if not isinstance(v, bool):
            self.bad(at, f"must be true or false, found {_kind(v)}")

    def flag(self, m, at, key):
        v = self.defaulted(m, at, key)
        if v is not None:
            self.boolean(v, self.join(at, key))

    def strings(self, v, at):
        if not isinstance(v, list):
            self.bad(at, f"must be an array of strings, found {_kind(v)}")
            return
        for i, x in enumerate(v):
            self.string(x, f"{at}[{i}]")

    def set(self, m, at, key):
        v = self.defaulted(m, at, key)
        if v is not None:
            self.strings(v, self.join(at, key))

    def req_set(self, m, at, key):
        v = self.required(m, at, key)
        if v is not None:
            self.strings(v, self.join(at, key))

    def entries(self, v, at, keys_path, one):
        if v is None:
            return
        if not isinstance(v, list):
            self.bad(at, f"must be an array, found {_kind(v)}")
            return
        for i, x in enumerate(v):
            one(x, _labelled(at, keys_path, i, x))

    def tagged(self, v, at, tag, variants, all_fields):
        """An object whose `tag` field selects its fields: returns the object, or None."""
        kind = v.get(tag) if isinstance(v, dict) else None
        if isinstance(kind, str) and kind in variants:
            return self.obj(v, at, [tag] + variants[kind])
        m = self.obj(v, at, [tag] + all_fields)
        if m is not None and self.required(m, at, tag) is not None:
            self.bad(self.join(at, tag), f"must be one of {', '.join(variants)}")
        return None

    def plan(self, v, at):
        m = self.obj(v, at, ["strata", "allocation", "team", "directed"])
        if m is None:
            return
        keys = ["plan", "strata"] if not at.startswith("input") else ["input", "plan", "strata"]

        def stratum(x, where):
            sm = self.obj(x, where, ["id", "name", "ratio", "qualification"])
            if sm is None:
                return
            self.req_string(sm, where, "id")
            self.req_string(sm, where, "name")
            ratio = self.required(sm, where, "ratio")
            if ratio is not None:
                rm = self.obj(ratio, self.join(where, "ratio"), ["num", "den"])
                if rm is not None:
                    self.req_u64(rm, self.join(where, "ratio"), "num")
                    self.req_u64(rm, self.join(where, "ratio"), "den")
            self.nullable_string(sm, where, "qualification")

        self.entries(self.required(m, at, "strata"), self.join(at, "strata"), keys, stratum)
        a = self.required(m, at, "allocation")
        if a is not None:
            aat = self.join(at, "allocation")
            am = self.tagged(a, aat, "mode", {"ratio": [], "total": ["count", "min_one_per_stratum"]},
                             ["count", "min_one_per_stratum"])
            if am is not None and am.get("mode") == "total":
                self.req_u64(am, aat, "count")
                b = self.required(am, aat, "min_one_per_stratum")
                if b is not None:
                    self.boolean(b, self.join(aat, "min_one_per_stratum"))
        t = self.required(m, at, "team")
        if t is not None:
            tat = self.join(at, "team")
            tm = self.obj(t, tat, ["size", "load_cap", "qualification", "units"])
            if tm is not None:
                self.req_u64(tm, tat, "size")
                self.req_u64(tm, tat, "load_cap")
                self.nullable_string(tm, tat, "qualification")
                self.req_set(tm, tat, "units")
        if m.get("directed") is not None:
            dat = self.join(at, "directed")
            dm = self.obj(m["directed"], dat, ["categories"])
            if dm is not None:
                self.req_set(dm, dat, "categories")

    def input(self, v, prefix=""):
        at = prefix
        kp = [prefix] if prefix else []
        m = self.obj(v, at, ["version", "draw_id", "title", "department", "unit", "ancestors",
                                         "draw_date", "randomness_source", "plan", "objects", "inspectors", "history"])
        if m is None:
            return
        for f in ("version", "draw_id", "title", "department", "unit"):
            self.req_string(m, at, f)
        self.set(m, at, "ancestors")
        self.req_string(m, at, "draw_date")
        src = self.required(m, at, "randomness_source")
        if src is not None:
            sat = self.join(at, "randomness_source")
            sm = self.tagged(src, sat, "source", {"drand-quicknet": ["round"],
                                                  "public-numbers": ["description", "date"],
                                                  "demo": ["label"]},
                             ["round", "description", "date", "label"])
            if sm is not None:
                if sm["source"] == "drand-quicknet":
                    self.req_u64(sm, sat, "round")
                else:
                    for f in {"public-numbers": ["description", "date"], "demo": ["label"]}[sm["source"]]:
                        self.req_string(sm, sat, f)
        p = self.required(m, at, "plan")
        if p is not None:
            self.plan(p, self.join(at, "plan"))

        def obj_entry(x, where):
            om = self.obj(x, where, ["id", "stratum", "categories", "abnormal", "serious_violation", "penalised"])
            if om is not None:
                self.req_string(om, where, "id")
                self.req_string(om, where, "stratum")
                self.set(om, where, "categories")
                for f in ("abnormal", "serious_violation", "penalised"):
                    self.flag(om, where, f)

        def inspector_entry(x, where):
            pm = self.obj(x, where, ["cert", "unit", "qualifications", "valid_from", "valid_until", "conflicts"])
            if pm is not None:
                for f in ("cert", "unit"):
                    self.req_string(pm, where, f)
                self.set(pm, where, "qualifications")
                for f in ("valid_from", "valid_until"):
                    self.req_string(pm, where, f)
                self.set(pm, where, "conflicts")

        def history_entry(x, where):
            hm = self.obj(x, where, ["object", "department", "unit", "date"])
            if hm is not None:
                for f in ("object", "department", "unit", "date"):
                    self.req_string(hm, where, f)

        self.entries(self.required(m, at, "objects"), self.join(at, "objects"), kp + ["objects"], obj_entry)
        self.entries(self.required(m, at, "inspectors"), self.join(at, "inspectors"), kp + ["inspectors"],
                     inspector_entry)
        self.entries(self.defaulted(m, at, "history"), self.join(at, "history"), kp + ["history"], history_entry)


def check_types(raw, prefix=""):
    """§3.1: raise DrawError listing every duplicate key and type problem of an input."""
    problems = duplicate_keys(raw, prefix, [prefix] if prefix else [])
    problems = [f"{d}: duplicate key" for d in problems]
    r = _Reader()
    r.input(raw, prefix)
    problems += r.problems
    if problems:
        raise DrawError(f"the input has {len(problems)} problem(s):\n" + "".join(f"  {p}\n" for p in problems))


# ---------------------------------------------------------------------------
# §3  Inputs: fill in defaults, validate, put in canonical order.
# ---------------------------------------------------------------------------

def validate_and_canonicalise(raw, prefix=""):
    """Return the input in canonical order (§3.2), or raise DrawError listing every problem.
    `prefix` names the input's fields inside a record ("input") in the type problems of §3.1."""
    problems = []

    def bad(where, problem):
        if problem:
            problems.append(f"{where}: {problem}")

    def check_set(where, values, checker):
        if not isinstance(values, list):
            bad(where, "must be a list")
            return []
        seen = {}
        for i, v in enumerate(values):
            bad(f"{where}[{i}]", checker(v))
            if isinstance(v, str):
                if v in seen:
                    bad(f"{where}[{i}]", f"duplicate of {where}[{seen[v]}]")
                seen.setdefault(v, i)
        return [v for v in values if isinstance(v, str)]

    check_types(raw, prefix)
    get = raw.get
    if get("version") != VERSION:
        bad("version", f'must be "{VERSION}"')
    bad("draw_id", draw_id_problem(get("draw_id")))
    for f in ("title", "department", "unit"):
        bad(f, text_problem(get(f)))
    ancestors = check_set("ancestors", get("ancestors", []), text_problem)
    if get("department") in ancestors:
        bad("ancestors", "contains the department itself")
    bad("draw_date", date_problem(get("draw_date")))
    draw_date = get("draw_date") if isinstance(get("draw_date"), str) else ""

    src = get("randomness_source") or {}
    kind = src.get("source")
    if kind == "drand-quicknet":
        bad("randomness_source.round", u64_problem(src.get("round")))
        if src.get("round") == 0:
            bad("randomness_source.round", "drand rounds start at 1: round 0 is refused")
        elif isinstance(src.get("round"), int) and src.get("round") > QUICKNET_LAST_ROUND:
            bad("randomness_source.round", "after the last round emitted before the year 10000")
    elif kind == "public-numbers":
        bad("randomness_source.description", text_problem(src.get("description")))
        bad("randomness_source.date", date_problem(src.get("date")))
    elif kind == "demo":
        bad("randomness_source.label", text_problem(src.get("label")))
    else:
        bad("randomness_source.source", "must be drand-quicknet, public-numbers or demo")

    plan = get("plan") or {}
    strata = []
    if not plan.get("strata"):
        bad("plan.strata", "at least one stratum")
    seen = {}
    for i, s in enumerate(plan.get("strata") or []):
        where = f"plan.strata[{i}] ({s.get('id')})"
        bad(f"{where}.id", text_problem(s.get("id")))
        if s.get("id") in seen:
            bad(f"{where}.id", f"duplicate of plan.strata[{seen[s.get('id')]}]")
        seen.setdefault(s.get("id"), i)
        bad(f"{where}.name", text_problem(s.get("name")))
        ratio = s.get("ratio") or {}
        num, den = ratio.get("num"), ratio.get("den")
        if u64_problem(num) or u64_problem(den) or not 1 <= num <= den:
            bad(f"{where}.ratio", f"the ratio {num}/{den} is outside (0, 1] (need integers 1 ≤ num ≤ den)")
        if s.get("qualification") is not None:
            bad(f"{where}.qualification", text_problem(s["qualification"]))
        strata.append({"id": s.get("id"), "name": s.get("name"), "num": num, "den": den,
                       "qualification": s.get("qualification")})
    stratum_ids = set(seen)

    alloc = plan.get("allocation") or {}
    if alloc.get("mode") == "total":
        bad("plan.allocation.count", u64_problem(alloc.get("count")))
        if not isinstance(alloc.get("min_one_per_stratum", False), bool):
            bad("plan.allocation.min_one_per_stratum", "must be true or false")
    elif alloc.get("mode") != "ratio":
        bad("plan.allocation.mode", 'must be "ratio" or "total"')

    team = plan.get("team") or {}
    if u64_problem(team.get("size")) or team.get("size") < 2:
        bad("plan.team.size", "at least two inspectors per object")
    if u64_problem(team.get("load_cap")) or team.get("load_cap") < 1:
        bad("plan.team.load_cap", "must be at least 1")
    if team.get("qualification") is not None:
        bad("plan.team.qualification", text_problem(team["qualification"]))
    units = check_set("plan.team.units", team.get("units", []), text_problem)
    if not units:
        bad("plan.team.units", "must not be empty")

    directed = plan.get("directed")
    if directed is not None:
        directed = check_set("plan.directed.categories", directed.get("categories", []), text_problem)
        if not directed:
            bad("plan.directed.categories", "a directed draw needs at least one category")

    objects, seen = [], {}
    for i, o in enumerate(get("objects") or []):
        where = f"objects[{i}] ({o.get('id')})"
        bad(f"{where}.id", credit_code_problem(o.get("id")))
        if o.get("id") in seen:
            bad(f"{where}.id", f"duplicate of objects[{seen[o.get('id')]}]")
        seen.setdefault(o.get("id"), i)
        if o.get("stratum") not in stratum_ids:
            bad(f"{where}.stratum", "not a declared stratum id")
        cats = check_set(f"{where}.categories", o.get("categories", []), text_problem)
        flags = {}
        for f in ("abnormal", "serious_violation", "penalised"):
            flags[f] = o.get(f, False)
            if not isinstance(flags[f], bool):
                bad(f"{where}.{f}", "must be true or false")
        objects.append({"id": o.get("id"), "stratum": o.get("stratum"),
                        "categories": by_bytes(cats), **flags})

    inspectors, seen = [], {}
    for i, p in enumerate(get("inspectors") or []):
        where = f"inspectors[{i}] ({p.get('cert')})"
        bad(f"{where}.cert", cert_problem(p.get("cert")))
        if p.get("cert") in seen:
            bad(f"{where}.cert", f"duplicate of inspectors[{seen[p.get('cert')]}]")
        seen.setdefault(p.get("cert"), i)
        bad(f"{where}.unit", text_problem(p.get("unit")))
        quals = check_set(f"{where}.qualifications", p.get("qualifications", []), text_problem)
        bad(f"{where}.valid_from", date_problem(p.get("valid_from")))
        bad(f"{where}.valid_until", date_problem(p.get("valid_until")))
        if not date_problem(p.get("valid_from")) and not date_problem(p.get("valid_until")) \
                and p["valid_from"] > p["valid_until"]:
            bad(f"{where}.valid_until", "is before valid_from")
        conflicts = check_set(f"{where}.conflicts", p.get("conflicts", []), credit_code_problem)
        inspectors.append({"cert": p.get("cert"), "unit": p.get("unit"),
                           "qualifications": by_bytes(quals), "valid_from": p.get("valid_from"),
                           "valid_until": p.get("valid_until"), "conflicts": by_bytes(conflicts)})

    history = []
    for i, h in enumerate(get("history") or []):
        where = f"history[{i}] ({h.get('object')})"
        bad(f"{where}.object", credit_code_problem(h.get("object")))
        bad(f"{where}.department", text_problem(h.get("department")))
        bad(f"{where}.unit", text_problem(h.get("unit")))
        d = h.get("date")
        bad(f"{where}.date", date_problem(d))
        if not date_problem(d) and draw_date and not (d[:4] == draw_date[:4] and d <= draw_date):
            bad(f"{where}.date", "must lie in the draw year, on or before draw_date")
        history.append({k: h.get(k) for k in ("object", "department", "unit", "date")})

    if problems:
        raise DrawError(f"the input has {len(problems)} problem(s):\n"
                        + "".join(f"  {p}\n" for p in problems))

    b = utf8
    return {
        "version": raw["version"], "draw_id": raw["draw_id"], "title": raw["title"],
        "department": raw["department"], "unit": raw["unit"],
        "ancestors": by_bytes(ancestors), "draw_date": draw_date,
        "source": src,
        "strata": sorted(strata, key=lambda s: b(s["id"])),
        "allocation": {"mode": alloc["mode"], "count": alloc.get("count"),
                       "min_one": alloc.get("min_one_per_stratum", False)},
        "team": {"size": team["size"], "load_cap": team["load_cap"],
                 "qualification": team.get("qualification"), "units": by_bytes(units)},
        "directed": None if directed is None else by_bytes(directed),
        "objects": sorted(objects, key=lambda o: b(o["id"])),
        "inspectors": sorted(inspectors, key=lambda p: b(p["cert"])),
        "history": sorted(history, key=lambda h: tuple(b(h[k]) for k in ("object", "date", "department", "unit"))),
    }


# ---------------------------------------------------------------------------
# §4  Canonical encoding
# ---------------------------------------------------------------------------

def u8(x): return x.to_bytes(1, "big")
def u32(x): return x.to_bytes(4, "big")
def u64(x): return x.to_bytes(8, "big")
def str_(s): return u32(len(utf8(s))) + utf8(s)
def bytes_(b): return u32(len(b)) + b
def list_(xs, f): return u32(len(xs)) + b"".join(f(x) for x in xs)
def strs(xs): return list_(xs, str_)
def opt(x, f): return u8(0) if x is None else u8(1) + f(x)
def H(b): return hashlib.sha256(b).digest()


# ---------------------------------------------------------------------------
# §5  Commitment
# ---------------------------------------------------------------------------

def leaf_data(o):
    flags = o["abnormal"] * 1 + o["serious_violation"] * 2 + o["penalised"] * 4
    return str_(o["id"]) + str_(o["stratum"]) + strs(o["categories"]) + u8(flags)


def merkle_root(datas):
    """RFC 9162 §2.1 Merkle tree hash."""
    n = len(datas)
    if n == 0:
        return H(b"")
    if n == 1:
        return H(b"\x00" + datas[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return H(b"\x01" + merkle_root(datas[:k]) + merkle_root(datas[k:]))


def objects_root(c):
    return merkle_root([leaf_data(o) for o in c["objects"]])


def encode_source(src):
    if src["source"] == "drand-quicknet":
        return u8(1) + u64(src["round"])
    if src["source"] == "public-numbers":
        return u8(2) + str_(src["description"]) + str_(src["date"])
    return u8(3) + str_(src["label"])


def commitment(c):
    a, t = c["allocation"], c["team"]
    allocation = u8(1) if a["mode"] == "ratio" else u8(2) + u64(a["count"]) + u8(int(a["min_one"]))
    return H(
        str_("gongkai-draw/v1/commitment")
        + str_(c["version"]) + str_(c["draw_id"]) + str_(c["title"]) + str_(c["department"]) + str_(c["unit"])
        + strs(c["ancestors"]) + str_(c["draw_date"])
        + encode_source(c["source"])
        + list_(c["strata"], lambda s: str_(s["id"]) + str_(s["name"]) + u64(s["num"]) + u64(s["den"])
                + opt(s["qualification"], str_))
        + allocation
        + u64(t["size"]) + u64(t["load_cap"]) + opt(t["qualification"], str_) + strs(t["units"])
        + opt(c["directed"], strs)
        + u64(len(c["objects"])) + objects_root(c)
        + list_(c["inspectors"], lambda p: str_(p["cert"]) + str_(p["unit"]) + strs(p["qualifications"])
                + str_(p["valid_from"]) + str_(p["valid_until"]) + strs(p["conflicts"]))
        + list_(c["history"], lambda h: str_(h["object"]) + str_(h["department"]) + str_(h["unit"]) + str_(h["date"]))
    )


# ---------------------------------------------------------------------------
# §6  Randomness and seed
# ---------------------------------------------------------------------------

DRAND_GENESIS, DRAND_PERIOD = 1692803367, 3
# SPEC §6.1: the last round emitted before the year 10000 (Unix 253402300799).
QUICKNET_LAST_ROUND = (253402300799 - DRAND_GENESIS) // DRAND_PERIOD + 1


def drand_round_at(t):
    """First quicknet round emitted at or after Unix time t."""
    return 1 if t <= DRAND_GENESIS else -(-(t - DRAND_GENESIS) // DRAND_PERIOD) + 1


def hex_bytes(x, field, length=None):
    """Lower-case hex only (§4): upper case is an error naming the field."""
    if not isinstance(x, str):
        raise DrawError(f"{field}: must be a hex string")
    if x != x.lower():
        raise DrawError(f"{field}: hex must be lower case")
    if any(c not in "0123456789abcdef" for c in x) or len(x) % 2:
        raise DrawError(f"{field}: not valid hex")
    b = bytes.fromhex(x)
    if length is not None and len(b) != length:
        raise DrawError(f"{field}: expected {length} bytes, got {len(b)}")
    return b


def randomness_bytes(source, randomness):
    """Check the published randomness against the committed source (§6.1); return its bytes.
    NOTE: the drand BLS signature is not checked here (no BLS in the standard library)."""
    kind = source["source"]
    if not isinstance(randomness, dict) or randomness.get("source") != kind:
        raise DrawError(f"randomness.source: must be of the committed kind {kind}")
    if kind == "drand-quicknet":
        if randomness.get("round") != source["round"]:
            raise DrawError(f"randomness.round: must be the committed round {source['round']}")
        value = hex_bytes(randomness.get("randomness"), "randomness.randomness", 32)
        if value != H(hex_bytes(randomness.get("signature"), "randomness.signature")):
            raise DrawError("randomness.randomness: is not SHA-256(signature)")
        return value
    if kind == "public-numbers":
        if not isinstance(randomness.get("key"), str) or not randomness["key"]:
            raise DrawError("randomness.key: missing")
        return utf8(randomness["key"])
    return hex_bytes(randomness.get("value"), "randomness.value", 32)


def seed_of(commit, rand_bytes, draw_id):
    return H(str_("gongkai-draw/v1/seed") + commit + bytes_(rand_bytes) + str_(draw_id))


# ---------------------------------------------------------------------------
# §7  Streams (ChaCha20) and uniform integers
# ---------------------------------------------------------------------------

def _rotl(x, n):
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


def chacha20_block(key, counter, nonce=0):
    """One 64-byte ChaCha20 block, original layout: 64-bit counter, 64-bit nonce."""
    const = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    k = [int.from_bytes(key[i:i + 4], "little") for i in range(0, 32, 4)]
    state = const + k + [counter & 0xFFFFFFFF, counter >> 32, nonce & 0xFFFFFFFF, nonce >> 32]
    x = list(state)

    def qr(a, b, c, d):
        x[a] = (x[a] + x[b]) & 0xFFFFFFFF; x[d] = _rotl(x[d] ^ x[a], 16)
        x[c] = (x[c] + x[d]) & 0xFFFFFFFF; x[b] = _rotl(x[b] ^ x[c], 12)
        x[a] = (x[a] + x[b]) & 0xFFFFFFFF; x[d] = _rotl(x[d] ^ x[a], 8)
        x[c] = (x[c] + x[d]) & 0xFFFFFFFF; x[b] = _rotl(x[b] ^ x[c], 7)

    for _ in range(10):  # 20 rounds = 10 double rounds
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
    return b"".join(((a + b) & 0xFFFFFFFF).to_bytes(4, "little") for a, b in zip(x, state))


def stream_key_encoding(seed, purpose, key):
    return str_("gongkai-draw/v1/stream") + seed + str_(purpose) + str_(key)


def stream_key(seed, purpose, key):
    return H(stream_key_encoding(seed, purpose, key))


class Stream:
    """The ChaCha20 keystream read as little-endian u64 words; counts words read."""

    def __init__(self, key):
        self.key, self.counter, self.buffer, self.words = key, 0, b"", 0

    def next_u64(self):
        if not self.buffer:
            self.buffer = chacha20_block(self.key, self.counter)
            self.counter += 1
        word, self.buffer = self.buffer[:8], self.buffer[8:]
        self.words += 1
        return int.from_bytes(word, "little")

    def uniform(self, n):
        """U(n), Lemire's method with exact rejection (§7.2)."""
        assert 1 <= n <= U64_MAX
        m = self.next_u64() * n
        low = m % 2**64
        if low < n:
            t = (2**64 - n) % n
            while low < t:
                m = self.next_u64() * n
                low = m % 2**64
        return m >> 64


def stream(seed, purpose, key):
    return Stream(stream_key(seed, purpose, key))


def partial_fisher_yates(items, k, strm):
    """§10: the first k items of a partial shuffle (position i+1 = i-th pick)."""
    L = list(items)
    for i in range(k):
        j = i + strm.uniform(len(L) - i)
        L[i], L[j] = L[j], L[i]
    return L[:k]


# ---------------------------------------------------------------------------
# §8  Eligibility
# ---------------------------------------------------------------------------

def exclusion_reason(c, o):
    if c["directed"] is not None and not set(o["categories"]) & set(c["directed"]):
        return "outside_directed_filter"
    if o["abnormal"] or o["serious_violation"] or o["penalised"]:
        return None  # not protected by the frequency limit
    entries = [h for h in c["history"] if h["object"] == o["id"]]
    if len(entries) >= 2:
        return "inspected_twice_this_year"
    if any(h["department"] in c["ancestors"] for h in entries):
        return "inspected_by_higher_level"
    if any(h["department"] == c["department"] and h["unit"] != c["unit"] for h in entries):
        return "inspected_by_other_unit"
    return None


# ---------------------------------------------------------------------------
# §9  Allocation
# ---------------------------------------------------------------------------

def allocate(c, eligible_counts):
    """Quota per stratum (list aligned with c["strata"])."""
    e = eligible_counts
    a = c["allocation"]
    if a["mode"] == "ratio":
        return [-(-(n * s["num"]) // s["den"]) for n, s in zip(e, c["strata"])]
    count, total = a["count"], sum(e)
    if count > total:
        raise DrawError(f"plan.allocation.count: the total {count} exceeds the {total} eligible objects")
    if a["min_one"]:
        m = sum(1 for n in e if n > 0)
        if count < m:
            raise DrawError(f"plan.allocation.count: the total {count} is below the {m} non-empty strata that each need one")
        base = [1 if n > 0 else 0 for n in e]
        weights = [n - 1 if n > 0 else 0 for n in e]
        r = count - m
    else:
        base, weights, r = [0] * len(e), list(e), count
    W = sum(weights)
    if W == 0:
        return base
    floors = [r * w // W for w in weights]
    rema = [r * w % W for w in weights]
    leftover = r - sum(floors)
    # largest remainder first; ties to the earlier stratum (sorted() is stable)
    for i in sorted(range(len(e)), key=lambda i: -rema[i])[:leftover]:
        floors[i] += 1
    return [b + f for b, f in zip(base, floors)]


# ---------------------------------------------------------------------------
# §11  Inspectors
# ---------------------------------------------------------------------------

def base_eligible(c, s):
    need = s["qualification"] if s["qualification"] is not None else c["team"]["qualification"]
    return [p for p in c["inspectors"]
            if p["unit"] in c["team"]["units"]
            and p["valid_from"] <= c["draw_date"] <= p["valid_until"]
            and (need is None or need in p["qualifications"])]


# ---------------------------------------------------------------------------
# §8-11  The whole draw
# ---------------------------------------------------------------------------

def run_draw(raw_input, randomness, recusals=(), link=False):
    """Validate, commit, derive the seed and draw: the whole protocol from the inputs.
    With `link`, every recusal carries its `prev` and the result has the `recusal_head` (§11.3)."""
    c = validate_and_canonicalise(raw_input)
    commit = commitment(c)
    seed = seed_of(commit, randomness_bytes(c["source"], randomness), c["draw_id"])
    out = {"commitment": commit.hex(), "objects_root": objects_root(c).hex(), "seed": seed.hex(),
           **draw(c, seed, recusals)}
    if link:
        chain = recusal_chain(seed, out["recusals"])
        out["recusals"] = [{**r, "prev": p.hex()} for r, p in zip(out["recusals"], chain)]
        out["recusal_head"] = chain[-1].hex()
    return out


def recusal_chain(seed, recusals):
    """§11.3: chain[0] = H(str(tag) ‖ seed); chain[n+1] = H(str(tag) ‖ chain[n] ‖ the n-th recusal)."""
    chain = [H(str_("gongkai-draw/v1/recusal-chain") + seed)]
    for r in recusals:
        chain.append(H(str_("gongkai-draw/v1/recusal") + chain[-1] + str_(r["object"]) + str_(r["inspector"])
                       + str_(r["reason"]) + str_(r["date"]) + str_(r["replacement"])))
    return chain


def draw(c, seed, recusals):
    """§8-11 on a canonical input `c` with a 32-byte seed -> {result, recusals}."""

    # §8 eligibility
    exclusions, eligible = [], {s["id"]: [] for s in c["strata"]}
    for o in c["objects"]:
        reason = exclusion_reason(c, o)
        if reason:
            exclusions.append({"object": o["id"], "reason": reason})
        else:
            eligible[o["stratum"]].append(o["id"])

    # §9 allocation
    quotas = allocate(c, [len(eligible[s["id"]]) for s in c["strata"]])

    # §11.2 guarantee: every seed must be able to staff every team
    size, cap = c["team"]["size"], c["team"]["load_cap"]
    capped = max(size * sum(quotas) - size, 0) // cap
    for s, k in zip(c["strata"], quotas):
        if k == 0:
            continue
        B = base_eligible(c, s)
        worst = max((sum(1 for p in B if o in p["conflicts"]) for o in eligible[s["id"]]), default=0)
        if len(B) - worst - capped < size:
            raise DrawError(f"plan.team: stratum {s['id']} cannot be staffed for every possible draw: "
                            f"{len(B)} qualified, up to {worst} conflicted, up to {capped} capped, "
                            f"fewer than {size} per team")

    # §10 selection
    selected = {}
    for s, k in zip(c["strata"], quotas):
        selected[s["id"]] = partial_fisher_yates(eligible[s["id"]], k, stream(seed, "objects", s["id"]))

    # §11.2 teams
    load = {p["cert"]: 0 for p in c["inspectors"]}
    teams, pool_of = {}, {}  # object id -> team (list of certs); object id -> B_s
    for s in c["strata"]:
        B = base_eligible(c, s)
        strm = stream(seed, "inspectors", s["id"])
        for pos, o in enumerate(selected[s["id"]], start=1):
            pool_of[o] = B
            ok = lambda p: load[p["cert"]] < cap and o not in p["conflicts"]
            available = sum(1 for p in B if ok(p))
            if available < size:
                raise DrawError(f"plan.team.size: stratum {s['id']} position {pos} ({o}) "
                                f"needs {size} inspectors, only {available} are eligible")
            team = []
            while len(team) < size:
                p = B[strm.uniform(len(B))]
                if p["cert"] not in team and ok(p):
                    team.append(p["cert"])
            for cert in team:
                load[cert] += 1
            teams[o] = team

    # §11.3 recusals
    recused, out_recusals = set(), []
    for n, r in enumerate(recusals):
        o, who = r.get("object"), r.get("inspector")
        if o not in teams:
            raise DrawError(f"recusals[{n}].object: {o} was not selected")
        if who not in teams[o]:
            raise DrawError(f"recusals[{n}].inspector: {who} is not on the team of {o}")
        if text_problem(r.get("reason")):
            raise DrawError(f"recusals[{n}].reason: {text_problem(r.get('reason'))} (the reason is text, §2)")
        if date_problem(r.get("date")) or r["date"] < c["draw_date"]:
            raise DrawError(f"recusals[{n}].date: must be a valid date not before draw_date")
        load[who] -= 1
        recused.add((o, who))
        team, B = teams[o], pool_of[o]
        ok = lambda p: (p["cert"] not in team and (o, p["cert"]) not in recused
                        and load[p["cert"]] < cap and o not in p["conflicts"])
        if not any(ok(p) for p in B):
            raise DrawError(f"recusals[{n}]: no acceptable replacement for {who} on {o}")
        strm = stream(seed, "recusal", str(n))
        while True:
            p = B[strm.uniform(len(B))]
            if ok(p):
                break
        team[team.index(who)] = p["cert"]
        load[p["cert"]] += 1
        out_recusals.append({**r, "replacement": p["cert"]})

    result = {
        "strata": [{"id": s["id"],
                    "pool": sum(1 for o in c["objects"] if o["stratum"] == s["id"]),
                    "eligible": len(eligible[s["id"]]),
                    "quota": k,
                    "selected": [{"position": i, "object": o, "team": teams[o]}
                                 for i, o in enumerate(selected[s["id"]], start=1)]}
                   for s, k in zip(c["strata"], quotas)],
        "exclusions": exclusions,
    }
    return {"result": result, "recusals": out_recusals}


# ---------------------------------------------------------------------------
# §13  Verification of a published record (§12)
# ---------------------------------------------------------------------------

def compare(expected, published, place, diffs, names=("recomputed", "published")):
    """Append to `diffs` every place where `published` differs from `expected`."""
    a, b = names
    show = lambda x: json.dumps(x, ensure_ascii=False)
    if isinstance(expected, dict) and isinstance(published, dict):
        for k in list(expected) + [k for k in published if k not in expected]:
            if k not in published:
                diffs.append(f"{place}.{k}: missing ({a} {show(expected[k])})")
            elif k not in expected:
                diffs.append(f"{place}.{k}: unexpected field ({b} {show(published[k])})")
            else:
                compare(expected[k], published[k], f"{place}.{k}", diffs, names)
    elif isinstance(expected, list) and isinstance(published, list):
        if len(expected) != len(published):
            diffs.append(f"{place}: {a} {len(expected)} entries, {b} {len(published)}")
        for i, (e, p) in enumerate(zip(expected, published)):
            compare(e, p, f"{place}[{i}]", diffs, names)
    elif expected != published or type(expected) is not type(published):
        diffs.append(f"{place}: {a} {show(expected)}, {b} {show(published)}")
    return diffs


def verify(record, published_commitment=None, recusal_head=None):
    """Re-run a full record; return the list of differences ([] means it verifies).

    Without `published_commitment` (lower-case hex of the commitment published
    before the randomness, obtained independently of the record) this checks the
    record's consistency only, not timing (§13 step 2): a record whose inputs were
    edited and whose commitment, seed and result were recomputed also verifies.
    `recusal_head`: a recusal chain head the portal published after some recusal (§11.3)."""
    if record.get("format") != "gongkai-draw-record":
        return ["format: not a gongkai-draw-record"]
    if record.get("version") != VERSION:
        return [f"version: this verifier knows only {VERSION}, the record says {record.get('version')}"]
    if (record.get("input") or {}).get("version") != record["version"]:
        return ["input.version: differs from the record's version"]
    published_recusals = record.get("recusals", [])
    requests = [{k: v for k, v in r.items() if k not in ("replacement", "prev")} for r in published_recusals]
    diffs = []
    try:
        c = validate_and_canonicalise(record["input"], "input")                # step 1
        commit = commitment(c)                                                 # step 2
        compare(objects_root(c).hex(), record.get("objects_root"), "objects_root", diffs)
        compare(commit.hex(), record.get("commitment"), "commitment", diffs)
        if published_commitment is not None:
            compare(published_commitment, record.get("commitment"),
                    "commitment (published before the randomness)", diffs)
        seed = seed_of(commit, randomness_bytes(c["source"], record.get("randomness")),
                       c["draw_id"])                                           # step 3
        compare(seed.hex(), record.get("seed"), "seed", diffs)
        ours = draw(c, seed, requests)                                         # step 4
    except DrawError as e:
        return diffs + [f"the draw cannot be re-run: {e}"]
    compare(ours["result"], record.get("result"), "result", diffs)
    chain = recusal_chain(seed, published_recusals)
    if any("prev" in r for r in published_recusals):  # chained: every entry must carry its link
        ours["recusals"] = [{**r, "prev": p.hex()} for r, p in zip(ours["recusals"], chain)]
    compare(ours["recusals"], published_recusals, "recusals", diffs)
    if recusal_head is not None and recusal_head not in [h.hex() for h in chain[1:]]:
        diffs.append(f"recusal chain: the published head {recusal_head} is not in this record's chain "
                     "(a published recusal was edited or removed)")
    return diffs


# ---------------------------------------------------------------------------
# §13 "RFC 3797 mode": an independent check of tooling, not part of a draw
# ---------------------------------------------------------------------------

def rfc3797_select(key, pool, count):
    """Select `count` of the candidates 1..pool as in RFC 3797 §4."""
    remaining, picks = list(range(1, pool + 1)), []
    for i in range(count):
        i2 = i.to_bytes(2, "big")
        h = int.from_bytes(hashlib.md5(i2 + utf8(key) + i2).digest(), "big")
        picks.append(remaining.pop(h % len(remaining)))
    return picks
