#!/usr/bin/python3
"""Generates rules/common/actors.textproto, the actor gazetteer of entente.

The output is a text-format entente.v1.RuleSet fragment (proto/rule_set.proto)
holding only `actor` and `person` entries. It merges, from most to least
trusted:

  1. the hand-curated files in tools/actors/ (states.tsv, bodies.tsv,
     persons.tsv, codes.tsv; each file documents its columns);
  2. Debian's iso-codes: iso_3166-1.json (names, official names and common
     names of every ISO 3166 entry; the alpha-3 code is the actor id) and
     iso_3166-3.json (former states, mapped by tools/actors/codes.tsv);
  3. the Phoenix country dictionary of PETRARCH2
     (Phoenix.Countries.actors.txt), from which only clean country-level
     names are taken: synonyms made of the words of the country's ISO names
     and of state-form words ("Republic", "Kingdom", "of", ...), with no
     dates, digits, parentheses or commas. Spelling variants, cities,
     provinces and nicknames are left out.

A name (case-insensitively, white space collapsed) must belong to one actor
only. When two actors claim the same name, the one from the more trusted
source keeps it and a warning is printed; when both come from sources of the
same rank the name is ambiguous and is dropped, with a warning.

Variants are added automatically: an accent-free form of names with accents
(unless it is an English word, "Malé" -> "Male"), a typographic-apostrophe
form of names with an apostrophe, and "Secretary General" for
"Secretary-General" (and back).

Run from anywhere with the system Python (standard library only):

    /usr/bin/python3 tools/gen_actors.py            # writes the file
    /usr/bin/python3 tools/gen_actors.py --check    # fails if it is stale

then validate with
    protoc --encode=entente.v1.RuleSet -I. proto/rule_set.proto \\
        < rules/common/actors.textproto > /dev/null
"""

import argparse
import collections
import json
import os
import re
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(ROOT, "tools", "actors")
OUTPUT = os.path.join(ROOT, "rules", "common", "actors.textproto")
ISO_3166_1 = "/usr/share/iso-codes/json/iso_3166-1.json"
ISO_3166_3 = "/usr/share/iso-codes/json/iso_3166-3.json"
PHOENIX = "/work/shared/data/actors-reference/Phoenix.Countries.actors.txt"

# Source ranks: lower is more trusted.
CURATED, ISO1, ISO3, PHOENIX_RANK = 0, 1, 2, 3
SOURCE_NAMES = {CURATED: "curated", ISO1: "iso_3166-1", ISO3: "iso_3166-3",
                PHOENIX_RANK: "phoenix"}

TYPES = ("STATE", "ORGANIZATION", "ARMED_GROUP", "GROUP")
# Output order of the body types (states come first).
BODY_TYPE_ORDER = ("ORGANIZATION", "ARMED_GROUP", "GROUP")

# Words a Phoenix synonym may contain besides the words of the country's own
# names: the vocabulary of official state names.
STATE_FORM_WORDS = {
    "OF", "THE", "AND", "REPUBLIC", "KINGDOM", "DEMOCRATIC", "PEOPLE'S",
    "FEDERAL", "FEDERATION", "FEDERATIVE", "ISLAMIC", "ARAB",
    "SOCIALIST", "UNITED", "STATE", "STATES", "UNION", "COMMONWEALTH",
    "PRINCIPALITY", "GRAND", "DUCHY", "SULTANATE", "EMIRATE", "EMIRATES",
    "PLURINATIONAL", "BOLIVARIAN", "ORIENTAL", "HASHEMITE",
    "COOPERATIVE", "INDEPENDENT", "ISLANDS", "CONFEDERATION",
}
# A Phoenix synonym must contain one of these: it names a state, it is not a
# demonym phrase ("Central African") or a word-order variant ("Korea South").
STATE_FORM_HEADS = {
    "REPUBLIC", "KINGDOM", "FEDERATION", "STATE", "STATES", "UNION",
    "COMMONWEALTH", "PRINCIPALITY", "DUCHY", "SULTANATE", "EMIRATE",
    "EMIRATES", "CONFEDERATION",
}

# Accent-free variants that are English words and must not become names.
FOLDED_STOPWORDS = {"male", "reunion", "resume", "cafe", "expose", "rose",
                    "store", "pate", "lame", "sake", "ole"}

# Letters NFKD does not decompose.
EXTRA_FOLD = str.maketrans({
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i",
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ð": "d",
    "þ": "th", "’": "'", "‘": "'",
})

FIELDS = ("name", "demonym", "capital")


def warn(msg):
    print("warning: " + msg, file=sys.stderr)


def die(msg):
    print("error: " + msg, file=sys.stderr)
    sys.exit(1)


def clean(s):
    """Collapses white space."""
    return " ".join(s.split())


def key(s):
    """The identity of a name for collisions and duplicates."""
    return clean(s).casefold()


def is_all_caps(s):
    """All-capital names are matched case-sensitively by the engine."""
    return any(c.isalpha() for c in s) and s == s.upper()


def fold(s):
    """Accent-free form of s."""
    s = s.translate(EXTRA_FOLD)
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def variants(s, fold_single_words=True):
    """s and the forms added automatically (see the module docstring)."""
    out = [s]
    folded = fold(s)
    if folded != s and folded.isascii():
        single = " " not in folded
        if folded.casefold() in FOLDED_STOPWORDS:
            pass
        elif single and not fold_single_words:
            pass
        else:
            out.append(folded)
    for v in list(out):
        if "Secretary-General" in v:
            out.append(v.replace("Secretary-General", "Secretary General"))
        elif "Secretary General" in v:
            out.append(v.replace("Secretary General", "Secretary-General"))
    for v in list(out):
        if "'" in v:
            out.append(v.replace("'", "’"))
    return out


def split_list(cell):
    cell = cell.strip()
    if cell in ("", "-"):
        return []
    return [clean(x) for x in cell.split("|") if clean(x)]


def read_tsv(path, ncols):
    """Rows of a tab-separated file, without comments and blank lines."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < ncols:
                die("%s:%d: expected %d tab-separated columns, got %d"
                    % (path, lineno, ncols, len(cols)))
            rows.append((lineno, cols))
    return rows


class Actor:
    def __init__(self, actor_id, actor_type, label):
        self.id = actor_id
        self.type = actor_type
        self.label = label          # a comment for the output
        self.status = ""
        # field -> list of (surface, rank); order of insertion is kept.
        self.values = {f: [] for f in FIELDS}
        self.drops = set()          # keys of names removed by curation

    def add(self, field, surface, rank):
        surface = clean(surface)
        if surface:
            self.values[field].append((surface, rank))


class Gazetteer:
    def __init__(self):
        self.actors = collections.OrderedDict()   # (id, type) -> Actor
        self.persons = []   # dicts: line, actor, name, aliases, role
        self.collisions = []

    def actor(self, actor_id, actor_type, label=""):
        k = (actor_id, actor_type)
        if k not in self.actors:
            self.actors[k] = Actor(actor_id, actor_type, label)
        elif label and not self.actors[k].label:
            self.actors[k].label = label
        return self.actors[k]

    def by_id(self, actor_id):
        for (i, _), a in self.actors.items():
            if i == actor_id:
                return a
        return None

    def ids(self):
        return {i for (i, _) in self.actors}


# --------------------------------------------------------------- iso-codes

def iso_names(raw, strip_the=True):
    """Names of one iso-codes name field ("Korea, Republic of")."""
    raw = clean(raw)
    out = []
    m = re.match(r"^(.*?)\s*\(([^)]*)\)\s*$", raw)
    if m and "," not in raw:
        base, inner = m.group(1), m.group(2)
        out.append(base)
        if inner not in ("French part", "Dutch part"):
            out.append(inner)
        return out
    raw = re.sub(r"\s*\([^)]*\)\s*", " ", raw).strip()   # mid-name parentheses
    if "," in raw:
        head, tail = [clean(x) for x in raw.split(",", 1)]
        if re.search(r"\b(of|of the)$", tail) or re.fullmatch(r"[A-Z][\w.]*", tail):
            inv = clean(tail + " " + head)
            if strip_the:
                inv = re.sub(r"^[Tt]he ", "", inv)
            out.append(inv)
        elif " and " in tail:
            out.append(raw)
        else:
            out.append(head)
        return out
    if strip_the:
        raw = re.sub(r"^the ", "", raw)
    return [raw]


def iso3_names(raw):
    """Names of an iso_3166-3 entry ("Yugoslavia, (Socialist) Federal Republic
    of", "USSR, Union of Soviet Socialist Republics")."""
    parts = [clean(p) for p in raw.split(",")]
    head, rest = parts[0], parts[1:]
    out = [head]
    for i, p in enumerate(rest):
        last = i == len(rest) - 1
        if last and re.search(r"\b(of|of the)$", p):
            p = p + " " + head
        elif " " not in p:
            continue            # a lone adjective ("Democratic")
        m = re.search(r"\(([^)]*)\)\s*", p)
        if m:   # "(Socialist) Federal Republic of Yugoslavia": both readings
            out.append(clean(p[:m.start()] + m.group(1) + " " + p[m.end():]))
            out.append(clean(p[:m.start()] + p[m.end():]))
        else:
            out.append(p)
    return out


def load_iso(gaz, iso1_path, iso3_path, skip, former_map):
    with open(iso1_path, encoding="utf-8") as f:
        entries = json.load(f)["3166-1"]
    for e in entries:
        code = e["alpha_3"]
        if code in skip:
            continue
        a = gaz.actor(code, "STATE", e["name"])
        for fld in ("name", "official_name", "common_name"):
            if fld in e:
                for n in iso_names(e[fld]):
                    a.add("name", n, ISO1)
    with open(iso3_path, encoding="utf-8") as f:
        entries = json.load(f)["3166-3"]
    for e in entries:
        target = former_map.get(e["alpha_3"])
        if not target or target == "-":
            continue
        a = gaz.actor(target, "STATE", e["name"] if target == e["alpha_3"] else "")
        for n in iso3_names(e["name"]):
            a.add("name", n, ISO3)


# ----------------------------------------------------------------- Phoenix

def phoenix_blocks(path):
    """(header, synonyms, codes) of each entry of a TABARI actor file."""
    blocks, cur = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            body = line.split("#", 1)[0].rstrip()
            if not body.strip():
                continue
            if body.startswith("+"):
                if cur:
                    cur[1].append(body[1:].strip())
            elif body[0] in " \t":
                if cur:
                    cur[2].extend(re.findall(r"\[([^\]]*)\]", body))
            else:
                m = re.match(r"(\S+)\s*(.*)$", body)
                cur = (m.group(1), [], re.findall(r"\[([^\]]*)\]", m.group(2)))
                blocks.append(cur)
    return blocks


def phoenix_country_code(codes):
    """The country code of a country-level entry: an undated or open-ended
    ("[RUS]", "[ARM >911221]") three-letter code; None for anything else."""
    for c in codes:
        m = re.fullmatch(r"([A-Z]{3})(\s+>\d+)?", c.strip())
        if m:
            return m.group(1)
    return None


def phoenix_title(words):
    small = {"OF", "THE", "AND"}
    out = []
    for i, w in enumerate(words):
        if w in small and i > 0:
            out.append(w.lower())
        else:
            out.append("-".join(p[:1] + p[1:].lower() for p in w.split("-")))
    return " ".join(out)


def load_phoenix(gaz, path, code_map):
    """Adds the clean country-level names of the Phoenix dictionary (see the
    module docstring). Runs after iso-codes and states.tsv, whose names give
    each country's own words."""
    known = gaz.ids()
    for header, synonyms, codes in phoenix_blocks(path):
        code = phoenix_country_code(codes)
        if not code:
            continue
        target = code_map.get(code, code)
        if target == "-" or target not in known:
            continue
        a = gaz.by_id(target)
        names = [fold(n).upper() for n, _ in a.values["name"]]
        own = {w for n in names for w in re.split(r"[\s\-]+", n) if w}
        own -= STATE_FORM_WORDS
        for raw in [header] + synonyms:
            s = clean(raw.strip().rstrip("_").replace("_", " "))
            if len(s) < 4 or not re.fullmatch(r"[A-Z' \-]+", s):
                continue    # dates, digits, parentheses, commas, non-ASCII
            words = s.split(" ")
            if len(words) < 2:
                continue    # single words: spellings, cities, demonyms
            parts = [p for w in words for p in w.split("-") if p]
            if not all(p in own or p in STATE_FORM_WORDS for p in parts):
                continue    # a word that is not the country's nor a state form
            if not any(p in own for p in parts):
                continue
            if not any(w in STATE_FORM_HEADS for w in words):
                continue
            if any(" %s " % s in " %s " % n for n in names):
                continue    # a part of a longer name ("States of America")
            a.add("name", phoenix_title(words), PHOENIX_RANK)


# ---------------------------------------------------------------- curated

def load_codes(path):
    iso3, phoenix = {}, {}
    for lineno, cols in read_tsv(path, 3):
        source, code, target = cols[0].strip(), cols[1].strip(), cols[2].strip()
        if source == "iso3":
            iso3[code] = target
        elif source == "phoenix":
            phoenix[code] = target
        else:
            die("%s:%d: unknown source %r" % (path, lineno, source))
    return iso3, phoenix


def load_states(path):
    rows = []
    for lineno, cols in read_tsv(path, 5):
        rows.append(dict(line=lineno, id=cols[0].strip(), status=cols[1].strip(),
                         names=cols[2], demonyms=cols[3], capitals=cols[4]))
    return rows


def apply_states(gaz, rows, path):
    for r in rows:
        if r["status"] == "skip":
            continue
        a = gaz.by_id(r["id"])
        if a is None:
            a = gaz.actor(r["id"], "STATE")
        a.status = r["status"]
        for n in split_list(r["names"]):
            if n.startswith("-"):
                a.drops.add(key(n[1:]))
            else:
                a.add("name", n, CURATED)
        for d in split_list(r["demonyms"]):
            a.add("demonym", d, CURATED)
        for c in split_list(r["capitals"]):
            a.add("capital", c, CURATED)
        if not a.label:
            names = split_list(r["names"])
            a.label = names[0] if names else r["id"]


def load_bodies(gaz, path):
    for lineno, cols in read_tsv(path, 4):
        actor_id, actor_type = cols[0].strip(), cols[1].strip()
        if actor_type not in TYPES or actor_type == "STATE":
            die("%s:%d: bad type %r" % (path, lineno, actor_type))
        names = split_list(cols[2])
        a = gaz.actor(actor_id, actor_type, names[0] if names else actor_id)
        for n in names:
            a.add("name", n, CURATED)
        for d in split_list(cols[3]):
            a.add("demonym", d, CURATED)


def load_persons(gaz, path):
    for lineno, cols in read_tsv(path, 4):
        name = clean(cols[1])
        if not name:
            die("%s:%d: person without a name" % (path, lineno))
        gaz.persons.append(dict(line=lineno, actor=cols[0].strip(), name=name,
                                aliases=split_list(cols[2]), role=clean(cols[3])))


# -------------------------------------------------------- merge and check

def resolve(gaz):
    """Expands variants, removes duplicates and dropped names, and resolves
    names claimed by more than one actor. Returns the final values."""
    # Every surface form: key -> list of (owner, field, surface, rank), where
    # owner is ("actor", (id, type)) or ("person", index).
    claims = collections.defaultdict(list)
    gaz.removed = set()     # (actor id, surface) removed by a curated "-name"
    for ak, a in gaz.actors.items():
        for fld in FIELDS:
            for surface, rank in a.values[fld]:
                for v in variants(surface):
                    if key(v) in a.drops:
                        gaz.removed.add((ak[0], v))
                        continue
                    claims[key(v)].append((("actor", ak), fld, v, rank))
    for i, p in enumerate(gaz.persons):
        for v in variants(p["name"], fold_single_words=False):
            claims[key(v)].append((("person", i), "person", v, CURATED))
        for alias in p["aliases"]:
            for v in variants(alias, fold_single_words=False):
                claims[key(v)].append((("person", i), "alias", v, CURATED))

    def owner_actor(owner):
        kind, ref = owner
        if kind == "actor":
            return ref[0]
        return gaz.persons[ref]["actor"]

    kept = set()        # (owner, field, surface)
    for k, cl in claims.items():
        actors = {owner_actor(o) for o, _, _, _ in cl}
        if len(actors) > 1:
            best = min(r for _, _, _, r in cl)
            winners = {owner_actor(o) for o, _, _, r in cl if r == best}
            # A name an actor and a person of another actor both claim is a
            # collision like any other.
            surface = cl[0][2]
            if len(winners) == 1:
                win = next(iter(winners))
                losers = sorted(actors - winners)
                gaz.collisions.append(
                    "%r: kept for %s (%s), dropped for %s (%s)" % (
                        surface, win, SOURCE_NAMES[best], ", ".join(losers),
                        ", ".join(sorted({SOURCE_NAMES[r] for o, _, _, r in cl
                                          if owner_actor(o) != win}))))
                cl = [c for c in cl if owner_actor(c[0]) == win]
            else:
                gaz.collisions.append(
                    "%r: ambiguous between %s (%s), dropped" % (
                        surface, ", ".join(sorted(actors)), SOURCE_NAMES[best]))
                continue
        for o, fld, v, r in cl:
            kept.add((o, fld, v))

    # Rebuild the values in their original order, without duplicates: the
    # same surface (white space and typographic apostrophes aside) once per
    # actor, the first field wins (name, then demonym, then capital); two
    # case-insensitive surfaces that differ only by case are one.
    final = {}
    gaz.phoenix_kept = 0
    for ak, a in gaz.actors.items():
        seen = set()
        out = {f: [] for f in FIELDS}
        for fld in FIELDS:
            for surface, rank in a.values[fld]:
                for v in variants(surface):
                    if (("actor", ak), fld, v) not in kept:
                        continue
                    dk = v if is_all_caps(v) else ("ci", key(v))
                    if dk in seen:
                        continue
                    seen.add(dk)
                    out[fld].append(v)
                    gaz.phoenix_kept += rank == PHOENIX_RANK
        final[ak] = out
    persons = []
    for i, p in enumerate(gaz.persons):
        names = [v for v in variants(p["name"], fold_single_words=False)
                 if (("person", i), "person", v) in kept]
        if not names:
            warn("persons.tsv:%d: person %r lost its name to a collision; "
                 "skipped" % (p["line"], p["name"]))
            continue
        seen = {key(n) for n in names}
        aliases = []
        for alias in p["aliases"]:
            for v in variants(alias, fold_single_words=False):
                if (("person", i), "alias", v) in kept and key(v) not in seen:
                    seen.add(key(v))
                    aliases.append(v)
        persons.append(dict(name=names[0], aliases=names[1:] + aliases,
                            actor=p["actor"], role=p["role"]))
    return final, persons


def check(gaz, final, persons):
    problems = []
    ids = gaz.ids()
    for p in persons:
        if p["actor"] not in ids:
            problems.append("person %r: unknown actor %r" % (p["name"], p["actor"]))
    # A surface must not appear under two persons of one actor either.
    seen = {}
    for p in persons:
        for s in [p["name"]] + p["aliases"]:
            k = key(s)
            if k in seen and seen[k] != p["name"]:
                problems.append("%r is both %s and %s" % (s, seen[k], p["name"]))
            seen.setdefault(k, p["name"])
    members = observers = 0
    for ak, a in gaz.actors.items():
        vals = final[ak]
        if not vals["name"]:
            problems.append("actor %s (%s) has no name" % ak)
        if a.status in ("member", "observer", "other"):
            members += a.status == "member"
            observers += a.status != "member"
    if members != 193:
        problems.append("expected 193 UN member states, found %d" % members)
    return problems


# ------------------------------------------------------------------ output

def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(gaz, final, persons, sources):
    out = []
    w = out.append
    w("# proto-file: proto/rule_set.proto")
    w("# proto-message: entente.v1.RuleSet")
    w("#")
    w("# GENERATED by tools/gen_actors.py: do not edit by hand. Edit the files in")
    w("# tools/actors/ and run /usr/bin/python3 tools/gen_actors.py.")
    w("# Sources:")
    for src in sources:
        w("#   %s" % src)
    w("#")
    w("# The actor gazetteer: states (ISO 3166 alpha-3 ids), international bodies,")
    w("# armed groups, unnamed groups (OTHER) and the people who speak for them.")
    w("")

    def emit_actor(ak, a):
        vals = final[ak]
        w("actor {  # %s" % (a.label or a.id).replace("\n", " "))
        w("  id: %s" % quote(a.id))
        w("  type: %s" % a.type)
        for fld in FIELDS:
            for v in vals[fld]:
                w("  %s: %s" % (fld, quote(v)))
        w("}")

    states = sorted((ak for ak in gaz.actors if ak[1] == "STATE"),
                    key=lambda ak: ak[0])
    w("# ---- States")
    for ak in states:
        emit_actor(ak, gaz.actors[ak])
    for t in BODY_TYPE_ORDER:
        w("")
        w("# ---- %s" % {"ORGANIZATION": "International bodies",
                         "ARMED_GROUP": "Armed groups",
                         "GROUP": "Unnamed groups and shadowing phrases"}[t])
        for ak, a in gaz.actors.items():
            if ak[1] == t:
                emit_actor(ak, a)
    w("")
    w("# ---- People")
    for p in persons:
        fields = ["name: %s" % quote(p["name"])]
        fields += ["alias: %s" % quote(x) for x in p["aliases"]]
        fields += ["actor: %s" % quote(p["actor"])]
        if p["role"]:
            fields += ["role: %s" % quote(p["role"])]
        w("person { %s }" % " ".join(fields))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", default=OUTPUT)
    ap.add_argument("--data-dir", default=DATA_DIR)
    ap.add_argument("--iso-3166-1", default=ISO_3166_1)
    ap.add_argument("--iso-3166-3", default=ISO_3166_3)
    ap.add_argument("--phoenix", default=PHOENIX)
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the output file is stale")
    ap.add_argument("--quiet", action="store_true", help="no collision list")
    args = ap.parse_args()

    for p in (args.iso_3166_1, args.iso_3166_3, args.phoenix):
        if not os.path.exists(p):
            die("missing input %s" % p)

    gaz = Gazetteer()
    iso3_map, phoenix_map = load_codes(os.path.join(args.data_dir, "codes.tsv"))
    states_path = os.path.join(args.data_dir, "states.tsv")
    state_rows = load_states(states_path)
    skip = {r["id"] for r in state_rows if r["status"] == "skip"}
    load_iso(gaz, args.iso_3166_1, args.iso_3166_3, skip, iso3_map)
    apply_states(gaz, state_rows, states_path)
    load_phoenix(gaz, args.phoenix, phoenix_map)
    load_bodies(gaz, os.path.join(args.data_dir, "bodies.tsv"))
    load_persons(gaz, os.path.join(args.data_dir, "persons.tsv"))

    final, persons = resolve(gaz)
    problems = check(gaz, final, persons)
    for p in problems:
        print("error: " + p, file=sys.stderr)
    if problems:
        sys.exit(1)

    sources = ["tools/actors/*.tsv (curated)",
               "iso-codes %s and %s" % (os.path.basename(args.iso_3166_1),
                                        os.path.basename(args.iso_3166_3)),
               "Phoenix.Countries.actors.txt (PETRARCH2, MIT licence)"]
    text = render(gaz, final, persons, sources)

    if not args.quiet:
        for c in sorted(gaz.collisions, key=str.casefold):
            warn("collision " + c)
    sys.stderr.flush()

    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            die("%s is stale: run tools/gen_actors.py" % args.output)
    else:
        os.makedirs(os.path.dirname(args.output), exist_ok=True)
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)

    by_type = collections.Counter(ak[1] for ak in gaz.actors)
    counts = collections.Counter()
    for ak, vals in final.items():
        for fld in FIELDS:
            counts[fld] += len(vals[fld])
    status = collections.Counter(a.status or ("territory" if ak[1] == "STATE" else "")
                                 for ak, a in gaz.actors.items())
    print("%s: %d bytes%s" % (args.output, len(text.encode("utf-8")),
                              " (up to date)" if args.check else ""))
    print("actors: %d (%s)" % (len(gaz.actors), ", ".join(
        "%s %d" % (t, by_type[t]) for t in TYPES)))
    print("states: %d UN members, %d observers/others (PSE VAT XKX TWN), "
          "%d former, %d territories" % (
              status["member"], status["observer"] + status["other"],
              status["former"], status["territory"]))
    print("names: %d, demonyms: %d, capitals: %d (%d names from Phoenix)" % (
        counts["name"], counts["demonym"], counts["capital"], gaz.phoenix_kept))
    print("persons: %d (%d aliases)" % (len(persons),
                                        sum(len(p["aliases"]) for p in persons)))
    print("collisions resolved: %d; names removed by curation: %s" % (
        len(gaz.collisions), ", ".join("%s %r" % r for r in sorted(gaz.removed))
        or "none"))


if __name__ == "__main__":
    main()
