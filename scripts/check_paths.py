#!/usr/bin/env python3
"""Lists the references to files that the repository does not hold.

Usage: scripts/check_paths.py        (exit 1 if any is found)

Reads every text file git knows (tracked or new, not ignored): Markdown,
C (its comments only: the code's strings name files it makes), shell,
Python, JSON, notebooks, CMake. It checks
  - Markdown links, [text](target#anchor): the target must exist, and the
    anchor must be a heading of a Markdown target (GitHub's slugs);
  - path-like words: a top folder of the repository followed by a path
    (docs/x.md, tests/checks/), or a name with a file extension, with or
    without folders (MODEL.md, docs/PARAMETERS.md).
A word is found relative to the file's folder, then to the top folder; a
bare name (no folder) anywhere in the tree. Paths that runs and builds
make (build*/, runs/, *.csv, manifest.json, temporary names, globs) and
the examples and outside headers listed in ELSEWHERE are not the
repository's and are skipped.
"""
import os
import re
import subprocess
import sys

TOPS = r"config|docs|tests|scripts|notebooks|bench|sim|results|distributions|model|\.ci"
EXT = r"md|c|h|sh|py|json|ipynb|tsv|dict|png|svg"
PATHWORD = re.compile(
    r"(?<![\w./$%{-])((?:\.\./)*(?:(?:" + TOPS + r")/[\w./*\[\]-]*"
    r"|(?:[\w.-]+/)*[\w-][\w.-]*\.(?:" + EXT + r")))(?![\w/-])")
MDLINK = re.compile(r"\]\(([^)\s]+)\)")
TEXT = re.compile(r"(\.(md|c|h|sh|py|txt|json|ipynb|tsv|dict)$|CMakeLists\.txt$|^\.ci/run$)")
GENERATED = re.compile(r"^(build[\w-]*|runs)(/|$)|\.csv$|^manifest\.json$|[*<\[]"
                       r"|\.figures|\.previous|\.tmp|\.lock|NAME")
# Names the documents use as examples of a user's files, and headers of
# other packages (Random123's).
ELSEWHERE = {"my.json", "nope.json", "bad.json", "check.json", "DIR/check.json",
             "my-scenario.json", "config/your-file.json", "notes.md",
             "results/run", "config/src", "Random123/philox.h",
             "Random123/gsl_microrng.h", "gsl_microrng.h",
             "stdint.h"}   # the C gen_pow5.py writes includes it


def git_files(root):
    out = subprocess.run(["git", "-C", root, "ls-files", "--cached", "--others",
                          "--exclude-standard"], capture_output=True, text=True,
                         check=True).stdout
    return [f for f in out.split("\n") if f and os.path.isfile(os.path.join(root, f))]


def c_comments(text):
    """The comments of a C file, everything else blanked, lines kept."""
    out = []
    for m in re.finditer(r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'|.",
                         text, re.S):
        g = m.group(0)
        out.append(g if g.startswith(("/*", "//")) else re.sub(r"[^\n]", " ", g))
    return "".join(out)


def slug(heading):
    h = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return h.replace(" ", "-")


def main():
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True,
                          text=True, check=True).stdout.strip()
    os.chdir(root)
    files = git_files(root)
    held = set(files)
    for f in files:
        d = os.path.dirname(f)
        while d:
            held.add(d)
            d = os.path.dirname(d)
    names = {os.path.basename(f) for f in files}
    headings = {}

    def anchors(md):
        if md not in headings:
            text = re.sub(r"```.*?```", "", open(md, encoding="utf-8").read(), flags=re.S)
            headings[md] = {slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, re.M)}
        return headings[md]

    def found(base, word):
        w = word.rstrip("/").rstrip(".")
        if os.path.normpath(os.path.join(base, w)) in held or os.path.normpath(w) in held:
            return True
        return "/" not in w and w in names

    missing = []
    for f in files:
        if not TEXT.search(f) or f == "scripts/check_paths.py":   # its examples
            continue
        try:
            text = open(f, encoding="utf-8").read()
        except UnicodeDecodeError:
            continue
        if f.endswith((".c", ".h")):
            text = c_comments(text)
        base = os.path.dirname(f)
        for n, line in enumerate(text.split("\n"), 1):
            for m in MDLINK.finditer(line):
                target = m.group(1)
                if re.match(r"^[a-z]+:", target):
                    continue
                path, _, anchor = target.partition("#")
                dest = os.path.normpath(os.path.join(base, path)) if path else f
                if dest not in held:
                    missing.append(f"{f}:{n}: link to {target}: no such file")
                elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
                    missing.append(f"{f}:{n}: link to {target}: no such heading")
            for m in PATHWORD.finditer(line):
                word = m.group(1).rstrip("]")
                word = re.sub(r"\.\[(\w)\w*\]$", r".\1", word)   # mc_rng.[ch]
                if word in ELSEWHERE or GENERATED.search(word) or found(base, word):
                    continue
                missing.append(f"{f}:{n}: {word}: no such file")
    for line in missing:
        print(line)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
