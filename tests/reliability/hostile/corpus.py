"""Hostile manifest directories, built at test time (symbolic links, FIFOs, device files
and files of tens of megabytes cannot live in git).

Each :class:`Case` builds one directory and names a fragment its error must contain. A
case starts from a small valid project (:func:`base`) and breaks one thing, so the error
can only come from that thing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CSV = "AccX,AccY\n1,2\n3,4\n"
CONFIG = '{"version": 3, "name": "cfg", "capture_sources": []}'
MiB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], None]
    expect: str  # a fragment of the error output
    glob_limit: int | None = None  # lower the glob walker's cap (a huge tree, made small)


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def base(root: Path, captures: str = "  - file: data/a.csv\n", extra: str = "") -> None:
    """A valid project with one capture, plus ``extra`` top-level YAML."""
    write(root, "data/a.csv", CSV)
    write(root, "capdecl.yaml", f"project: hostile\n{extra}captures:\n{captures}")


def manifest(text: str | bytes) -> Callable[[Path], None]:
    """A case whose only manifest file is ``text`` (next to a valid data file)."""

    def build(root: Path) -> None:
        write(root, "data/a.csv", CSV)
        write(root, "capdecl.yaml", text)

    return build


def capture(entry: str, setup: Callable[[Path], None] | None = None) -> Callable[[Path], None]:
    """A valid project whose captures list is ``entry`` (after ``setup`` ran)."""

    def build(root: Path) -> None:
        if setup is not None:
            setup(root)
        base(root, entry)

    return build


def config(entry: str, setup: Callable[[Path], None] | None = None) -> Callable[[Path], None]:
    """A valid project with one configuration declared as ``entry``."""

    def build(root: Path) -> None:
        if setup is not None:
            setup(root)
        base(root, "  - file: data/a.csv\n", f"configurations:\n  cfg: {entry}\n")

    return build


# --------------------------------------------------------------------------- YAML bombs


def laughs(levels: int = 9) -> str:
    lines = ["project: hostile", "metadata:", "  l0: &l0 [lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        refs = ", ".join([f"*l{i - 1}"] * 10)
        lines.append(f"  l{i}: &l{i} [{refs}]")
    return "\n".join(lines) + "\ncaptures:\n  - file: data/a.csv\n"


def merge_bomb() -> str:
    lines = ["project: hostile", "x0: &x0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}"]
    for i in range(1, 8):
        lines.append(f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 12)}]")
    return "\n".join(lines) + "\ncaptures:\n  - file: data/a.csv\n"


def deep_flow(levels: int) -> str:
    return "project: hostile\nsettings: " + "[" * levels + "]" * levels + "\n"


def deep_mapping(levels: int) -> str:
    return "project: hostile\nsettings: " + "{a: " * levels + "1" + "}" * levels + "\n"


def huge_line(size: int) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        write(root, "data/a.csv", CSV)
        with (root / "capdecl.yaml").open("w", encoding="ascii") as out:
            out.write("project: hostile\ncaptures:\n  - file: data/a.csv\n    name: ")
            chunk = "x" * MiB
            for _ in range(size // MiB):
                out.write(chunk)
            out.write(".csv\n")

    return build


# --------------------------------------------------------------------------- file system


def outside(root: Path) -> Path:
    """A directory beside the manifest directory, with a CSV and a config in it."""
    place = root.parent / f"{root.name}-outside"
    place.mkdir(exist_ok=True)
    write(place, "secret.csv", CSV)
    write(place, "secret.json", CONFIG)
    return place


def link(rel: str, target: Callable[[Path], Path | str]) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target(root), path)

    return setup


def fifo(rel: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / rel)

    return setup


def loop(root: Path) -> None:
    (root / "data").mkdir(parents=True, exist_ok=True)
    os.symlink("b.csv", root / "data" / "a-loop.csv")
    os.symlink("a-loop.csv", root / "data" / "b.csv")


def directory_loop(root: Path) -> None:
    (root / "data" / "deep").mkdir(parents=True, exist_ok=True)
    os.symlink("..", root / "data" / "deep" / "up")
    os.symlink(".", root / "data" / "self")


def tree(files: int, width: int = 20) -> Callable[[Path], None]:
    """``files`` empty files spread over nested directories (no CSV among them)."""

    def setup(root: Path) -> None:
        for i in range(files):
            folder = root / "tree" / f"d{i % width}" / f"e{(i // width) % width}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"f{i}.dat").touch()

    return setup


def extra_manifest(rel: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    """A valid project plus a second manifest entry ``rel`` made by ``make``."""

    def build(root: Path) -> None:
        base(root)
        make(root)

    return build


def json_file(text: str | bytes) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        write(root, "cfg.json", text)

    return setup


def big_json(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    with (root / "cfg.json").open("w", encoding="ascii") as out:
        out.write('{"version": 3, "pad": "')
        for _ in range(17):
            out.write("x" * MiB)
        out.write('"}')


def json_array(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    with (root / "cfg.json").open("w", encoding="ascii") as out:
        out.write("[" + ",".join(["0"] * 2_000_000) + "]")


# --------------------------------------------------------------------------- the corpus

CASES: list[Case] = [
    # YAML bombs and parser abuse
    Case("billion-laughs", manifest(laughs()), "(an alias bomb?)"),
    Case("merge-key-bomb", manifest(merge_bomb()), "(an alias bomb?)"),
    Case("deep-flow-sequences-10k", manifest(deep_flow(10_000)), "nested more than 64 levels"),
    Case("deep-flow-mappings-10k", manifest(deep_mapping(10_000)), "nested more than 64 levels"),
    Case("huge-line-50mb", huge_line(50 * MiB), "larger than 16 MiB"),
    Case("huge-name-15mb", huge_line(15 * MiB), "name"),
    Case("huge-integer", manifest("project: hostile\nx: " + "9" * 5000 + "\n"), "number"),
    Case("recursive-alias", manifest("project: hostile\na: &a [*a]\n"), "refers to its own"),
    Case(
        "unknown-alias", manifest("project: hostile\ncaptures: *nothing\n"), "refers to no anchor"
    ),
    Case("python-tag", manifest("project: !!python/object:os.system x\n"), "unsupported YAML tag"),
    Case("binary-tag", manifest("project: !!binary aGk=\n"), "unsupported YAML tag"),
    Case("custom-tag", manifest("project: !include /etc/passwd\n"), "unsupported YAML tag"),
    Case("syntax-error", manifest("project: [unclosed\n"), "invalid YAML"),
    Case("tab-indentation", manifest("project: x\ncaptures:\n\t- file: a\n"), "invalid YAML"),
    Case("two-documents", manifest("project: a\n---\nproject: b\n"), "one YAML document"),
    Case("duplicate-top-level-key", manifest("project: a\nproject: b\n"), "duplicate key"),
    Case(
        "duplicate-nested-key",
        manifest("project: a\nmetadata:\n  S: {values: [x]}\n  S: {values: [y]}\n"),
        "duplicate key",
    ),
    Case("non-mapping-key", manifest("project: a\n[1, 2]: x\n"), "mapping key must be"),
    # encodings and bytes
    Case("latin-1", manifest("project: caf\xe9\n".encode("latin-1")), "not valid UTF-8"),
    Case("utf-16-le-bom", manifest("project: x\n".encode("utf-16")), "not valid UTF-8"),
    Case("utf-16-be-bom", manifest(b"\xfe\xff" + "project: x\n".encode("utf-16-be")), "UTF-8"),
    Case("utf-32-bom", manifest("project: x\n".encode("utf-32")), "UTF-8"),
    Case("nul-byte", manifest(b"project: x\x00y\n"), "U+0000"),
    Case("bell-character", manifest(b"project: x\x07y\n"), "U+0007"),
    Case("escape-character", manifest(b"project: x\x1b[31my\n"), "U+001B"),
    Case("lone-surrogate-escape", manifest('project: "\\ud800"\n'), "invalid Unicode"),
    # names that break the server's rules
    Case("nul-in-name", capture('  - file: data/a.csv\n    name: "a\\0.csv"\n'), "name"),
    Case("newline-in-name", capture('  - file: data/a.csv\n    name: "a\\nb.csv"\n'), "name"),
    Case("bell-in-name", capture('  - file: data/a.csv\n    name: "a\\ab.csv"\n'), "name"),
    Case("blank-name", capture('  - file: data/a.csv\n    name: "   "\n'), "is blank"),
    Case("name-too-long", capture(f"  - file: data/a.csv\n    name: {'n' * 300}.csv\n"), "name"),
    Case("zero-width-name", capture('  - file: data/a.csv\n    name: "\\u200b"\n'), "U+200B"),
    Case("blank-project", manifest("project: '   '\ncaptures: []\n"), "project"),
    Case("control-in-project", manifest('project: "a\\tb\\u0085"\n'), "project"),
    Case(
        "metadata-name-too-long",
        manifest(f"project: x\nmetadata:\n  {'M' * 80}: {{values: [a]}}\n"),
        "metadata",
    ),
    Case(
        "metadata-value-control",
        manifest('project: x\nmetadata:\n  S: {values: ["a\\u0001"]}\n'),
        "metadata",
    ),
    Case(
        "duplicate-capture-names",
        capture("  - file: data/a.csv\n  - file: data/a.csv\n    name: a.csv\n"),
        "a.csv",
    ),
    Case("server-with-password", manifest("project: x\nserver: http://u:pw@h/\n"), "credentials"),
    Case("server-bad-scheme", manifest("project: x\nserver: file:///etc/passwd\n"), "server"),
    # paths that leave the manifest directory
    Case("dotdot-file", capture("  - file: ../outside.csv\n"), '".."'),
    Case("dotdot-deep", capture("  - file: data/../../../etc/passwd\n"), '".."'),
    Case("absolute-file", capture("  - file: /etc/passwd\n"), "absolute"),
    Case("windows-absolute", capture("  - file: 'C:\\Windows\\win.ini'\n"), "absolute"),
    Case("absolute-glob", capture("  - glob: /**\n"), "absolute"),
    Case("dotdot-glob", capture("  - glob: ../../**\n"), '".."'),
    Case("dotdot-glob-middle", capture("  - glob: data/../../*\n"), '".."'),
    Case(
        "symlink-file-out",
        capture(
            "  - file: data/out.csv\n", link("data/out.csv", lambda r: outside(r) / "secret.csv")
        ),
        "outside the manifest directory",
    ),
    Case(
        "symlink-dir-out",
        capture("  - file: ext/secret.csv\n", link("ext", outside)),
        "outside the manifest directory",
    ),
    Case(
        "symlink-dir-out-glob",
        capture("  - glob: ext/*.csv\n", link("ext", outside)),
        "outside the manifest directory",
    ),
    Case(
        "symlink-to-etc-passwd",
        capture("  - file: data/p.csv\n", link("data/p.csv", lambda _r: "/etc/passwd")),
        "outside the manifest directory",
    ),
    Case("symlink-loop", capture("  - file: data/a-loop.csv\n", loop), "data/a-loop.csv"),
    Case("directory-loop-glob", capture("  - glob: data/**/*.wav\n", directory_loop), "no file"),
    Case(
        "dangling-symlink",
        capture("  - file: data/gone.csv\n", link("data/gone.csv", lambda r: r / "nowhere.csv")),
        "not found",
    ),
    # files that are not regular files
    Case(
        "fifo-capture",
        capture("  - file: data/pipe.csv\n", fifo("data/pipe.csv")),
        "not a regular file",
    ),
    Case(
        "fifo-in-glob",
        capture("  - glob: data/*.csv\n", fifo("data/pipe.csv")),
        "not a regular file",
    ),
    Case(
        "dev-zero-capture",
        capture("  - file: data/zero.csv\n", link("data/zero.csv", lambda _r: "/dev/zero")),
        "outside the manifest directory",
    ),
    Case(
        "directory-as-capture",
        capture("  - file: data/dir.csv\n", lambda r: (r / "data/dir.csv").mkdir(parents=True)),
        "directory",
    ),
    Case("fifo-manifest", extra_manifest("more.yaml", fifo("more.yaml")), "more.yaml"),
    Case(
        "dev-zero-manifest",
        extra_manifest("more.yaml", link("more.yaml", lambda _r: "/dev/zero")),
        "more.yaml",
    ),
    Case(
        "dangling-manifest",
        extra_manifest("more.yaml", link("more.yaml", lambda r: r / "none")),
        "more.yaml",
    ),
    Case(
        "directory-manifest",
        extra_manifest("more.yaml", lambda r: (r / "more.yaml").mkdir()),
        "more.yaml",
    ),
    Case(
        "only-a-directory-manifest",
        lambda r: (r / "capdecl.yaml").mkdir(parents=True),
        "capdecl.yaml",
    ),
    # empty and degenerate
    Case("empty-directory", lambda r: r.mkdir(parents=True), "no manifest files"),
    Case("empty-file", manifest(""), "project"),
    Case("only-comments", manifest("# nothing here\n"), "project"),
    Case("list-document", manifest("- project: x\n"), "mapping"),
    Case("scalar-document", manifest("just a string\n"), "mapping"),
    Case("captures-not-a-list", manifest("project: x\ncaptures: data/a.csv\n"), "captures"),
    Case("unknown-key", manifest("project: x\nprojcet: y\n"), "projcet"),
    Case("missing-file", capture("  - file: data/none.csv\n"), "not found"),
    Case("glob-matches-nothing", capture("  - glob: data/*.wav\n"), "no file"),
    # globs over big trees
    Case(
        "starstar-huge-tree-capped",
        capture("  - glob: '**/*.csv'\n", tree(3000)),
        "directory entries",
        glob_limit=2000,
    ),
    Case(
        "starstar-big-tree-no-match", capture("  - glob: tree/**/*.csv\n", tree(20_000)), "no file"
    ),
    # configuration JSON bombs
    Case(
        "json-deep-nesting",
        config("{file: cfg.json}", json_file("[" * 200_000 + "]" * 200_000)),
        "cfg.json",
    ),
    Case("json-over-16mb", config("{file: cfg.json}", big_json), "larger than 16 MiB"),
    Case("json-two-million-items", config("{file: cfg.json}", json_array), "JSON object"),
    Case("json-nan", config("{file: cfg.json}", json_file('{"version": NaN}')), "NaN"),
    Case(
        "json-latin-1",
        config("{file: cfg.json}", json_file('{"n": "caf\xe9"}'.encode("latin-1"))),
        "UTF-8",
    ),
    Case(
        "json-truncated",
        config("{file: cfg.json}", json_file('{"version": 3, "capture_sou')),
        "invalid JSON",
    ),
    Case("json-path-traversal", config("{file: ../cfg.json}"), '".."'),
    Case(
        "json-dev-zero",
        config("{file: zero.json}", link("zero.json", lambda _r: "/dev/zero")),
        "outside the manifest directory",
    ),
    Case("json-fifo", config("{file: cfg.json}", fifo("cfg.json")), "not a regular file"),
    Case(
        "inline-config-too-deep",
        config("{configuration: " + "[" * 100 + "]" * 100 + "}"),
        "nested more than",
    ),
]
