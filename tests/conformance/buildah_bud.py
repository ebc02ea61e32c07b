#!/usr/bin/env python3
"""Runs the offline-capable cases of ../shared/conformance/buildah-bud against shale.

The conformance data (third-party, see its SOURCE.md) is read in place and
never copied into the repository. INDEX.tsv renders each upstream bats test as
a list of steps; this script interprets the steps it understands and SKIPS a
case (with the reason) as soon as one step is outside that language, so the
skip count is honest.

Selection rule (printed at start):
  image_class in {none, substitute-basic}  AND  network == none
  AND other_buildah_cmds is empty (a pure build/inspect/images/rm/rmi test).

Images: every case gets a fresh store holding the local busybox image (made
from Debian's busybox-static by tests/fixtures/rootfs.sh) under every busybox
name the selected cases use, and an alpine substitute (the same rootfs plus
alpine's empty top-level directories such as /run) under every alpine name,
so nothing is pulled. Builds that force a pull (--pull-always) are skipped.

Also skipped: steps outside the language below, values the index does not
define (captured ids, ...), scratch directories the upstream test prepares
with shell steps the index does not record, and upstream helpers.

A case PASSES when every step does: each command exits as the index says
(exactly: `=> ok` is 0, `=> exit N` is N) and every expectation holds on the
command's output (stdout and stderr together, trailing newlines removed).

Exit status: 0 when passed / (passed + failed) >= --min-rate (default 0.70),
1 below it, 77 when the conformance data is absent (ctest SKIP_RETURN_CODE).
"""
import argparse
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile

SKIP_RC = 77
BUSYBOX_NAMES = ["busybox:latest", "docker.io/library/busybox:latest", "quay.io/libpod/busybox:latest"]
ALPINE_NAMES = ["alpine:latest", "docker.io/library/alpine:latest", "quay.io/libpod/alpine:latest"]
# Top-level directories alpine has and our busybox rootfs lacks: the alpine
# substitute is busybox plus these (empty, root-owned, 0755).
ALPINE_DIRS = ["run", "var/log", "var/cache", "var/lib", "var/spool", "var/opt", "var/empty", "mnt", "opt",
               "srv", "media", "lib", "sbin", "usr/lib", "usr/share", "etc/apk"]
# Variables a test defines that we can give a value: scratch paths and image
# names (upstream uses arbitrary lowercase names for these).
# Values the index leaves out but the case's title states.
CASE_VARS = {"bud-206": {"target": "Bad-Name"}}  # "bud-with-rejected-name": an uppercase -t
NAME_VARS = {"target": "target-image", "imgname": "img-name", "imgName": "img-name",
             "target2": "target-image2", "target3": "target-image3", "target4": "target-image4"}
PATH_VARS = {"TMP": "tmp", "contextdir": "context", "mytmpdir": "mytmp",
             "additionalcontextdir": "addctx"}
VAR_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


class Skip(Exception):
    pass


class Fail(Exception):
    pass


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = None
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                header = [h.strip() for h in line[1:].split("\t")]
                continue
            if line:
                rows.append(dict(zip(header, line.split("\t"))))
    return rows


def selected(row):
    return (row["image_class"] in ("none", "substitute-basic") and row["network"] == "none"
            and row["other_buildah_cmds"] == "")


# ---------------------------------------------------------------- parsing

def split_steps(text):
    return [s.strip() for s in text.split("; ") if s.strip()]


def parse_expect(exp):
    """'== "X"' / '=~ "X"' -> (op, raw X)."""
    m = re.match(r'^(==|=~)\s+"(.*)"$', exp, re.S)
    if not m:
        raise Skip("cannot read expectation: " + exp)
    return m.group(1), m.group(2)


def parse_step(step):
    """Returns a tuple describing the step, or raises Skip."""
    if step.endswith(" ..."):
        raise Skip("index row truncated at 1500 characters")
    m = re.match(r"^(build|inspect|images|rmi|rm)(?:\s+(.*?))?\s*=>\s*(ok|exit (\d+))$", step, re.S)
    if m:
        args = m.group(2) or ""
        if args.endswith("\\") or args == "\\":
            raise Skip("%s arguments continue on lines the index does not show" % m.group(1))
        if "<<<" in args or "<(" in args or "$(" in args or "`" in args or re.search(r"(^|\s)<\s", args):
            raise Skip("%s uses shell redirection/substitution: %s" % (m.group(1), args))
        want = 0 if m.group(3) == "ok" else int(m.group(4))
        return ("cmd", m.group(1), args, want)
    if step == "helper _prefetch":
        return ("nop",)
    if step.startswith("helper "):
        raise Skip("needs upstream helper " + step[7:])
    if step.startswith("write "):
        return ("write", step[6:].strip())
    m = re.match(r"^expect (\d+) output lines$", step)
    if m:
        return ("lines", int(m.group(1)))
    m = re.match(r"^expect output (.*)$", step, re.S)
    if m:
        op, val = parse_expect(m.group(1))
        neg = re.match(r"^\[(?:no instance of|not expecting to see) '(.*)'\]$", val)
        if op == "==" and neg:
            return ("assert", "$output", "!~", re.escape(neg.group(1)))
        return ("assert", "$output", op, val)
    if step.startswith("expect ("):
        raise Skip("expectation on a per-line variable: " + step)
    if step.startswith("assert "):
        body = step[7:]
        if body.rstrip().endswith("\\"):
            raise Skip("assert continues on lines the index does not show")
        try:
            words = shlex.split(body)
        except ValueError:
            raise Skip("cannot read assert: " + body)
        if len(words) < 3 or words[1] not in ("==", "=", "!=", "=~", "!~", "-eq"):
            raise Skip("cannot read assert: " + body)
        return ("assert", words[0], words[1], words[2])
    if step.startswith("shell "):
        return ("shell", step[6:])
    raise Skip("unknown step: " + step[:60])


# ---------------------------------------------------------------- running

class Case:
    def __init__(self, row, env):
        self.row = row
        self.env = env
        self.id = row["case_id"]
        self.work = None
        self.vars = {}
        self.output = ""
        self.status = 0
        self.inline = list(env.inline.get(self.id, []))
        self.log = []
        self.written = set()

    # Variables -------------------------------------------------------------
    def expand(self, text, regex_quote=False):
        def sub(m):
            name = m.group(1) or m.group(2)
            if name == "output":
                val = self.output
            elif name == "status":
                val = str(self.status)
            elif name in self.vars:
                val = self.vars[name]
            else:
                raise Skip("uses a value the index does not define: $" + name)
            return re.escape(val) if regex_quote and name != "output" else val
        return VAR_RE.sub(sub, text)

    def heredoc_expand(self, text):
        out, i = [], 0
        while i < len(text):
            c = text[i]
            if c == "\\" and i + 1 < len(text) and text[i + 1] in "$`\\":
                out.append(text[i + 1])
                i += 2
                continue
            if c == "`":
                raise Skip("inline file uses a command substitution")
            if c == "$":
                if text.startswith("$$", i):
                    out.append(str(os.getpid()))
                    i += 2
                    continue
                m = VAR_RE.match(text, i)
                if m:
                    name = m.group(1) or m.group(2)
                    if name not in self.vars:
                        raise Skip("inline file uses a value the index does not define: $" + name)
                    out.append(self.vars[name])
                    i = m.end()
                    continue
                if text.startswith("$(", i):
                    raise Skip("inline file uses a command substitution")
            out.append(c)
            i += 1
        return "".join(out)

    # Setup -----------------------------------------------------------------
    def setup(self):
        self.work = tempfile.mkdtemp(prefix=self.id + "-", dir=self.env.scratch)
        self.store = os.path.join(self.work, "store")
        shutil.copytree(self.env.seed_store, self.store, symlinks=True)
        dirs = [d for d in self.row["bud_dirs"].split(",") if d]
        for d in dirs:
            src = os.path.join(self.env.data, "bud", d)
            if not os.path.isdir(src):
                raise Skip("bud/%s is not in the developer set" % d)
            shutil.copytree(src, os.path.join(self.work, "bud", d), symlinks=True)
        for var, sub in PATH_VARS.items():
            self.vars[var] = os.path.join(self.work, sub)
            os.makedirs(self.vars[var], exist_ok=True)
        # With one context directory, $contextdir is that directory (upstream
        # copies it or points at it).
        if len(dirs) == 1:
            self.vars["contextdir"] = os.path.join(self.work, "bud", dirs[0])
        self.vars.update(NAME_VARS)
        if "bud/${target}" in self.row["steps"] and len(dirs) == 1:
            self.vars["target"] = dirs[0]
        self.vars.update(CASE_VARS.get(self.id, {}))

    # Commands --------------------------------------------------------------
    def run(self, argv, want=None, shell=False):
        env = dict(os.environ)
        env.update(self.env.child_env)
        try:
            p = subprocess.run(argv, cwd=self.work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, env=env, timeout=self.env.timeout, shell=shell)
            out = p.stdout.decode("utf-8", "replace")
            rc = p.returncode
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode("utf-8", "replace")
            rc = -1
        self.output = out.rstrip("\n")
        self.status = rc
        shown = argv if isinstance(argv, str) else " ".join(shlex.quote(a) for a in argv)
        self.log.append("$ %s  [exit %d]\n%s" % (shown, rc, self.output))
        if want is not None and rc != want:
            last = self.output.strip().splitlines()[-1:] or [""]
            raise Fail("`%s` exited %s, want %s: %s" % (shorten(shown, self.work), rc if rc >= 0 else "timeout",
                                                          want, last[0][:200]))

    def do_cmd(self, verb, args, want):
        try:
            words = shlex.split(args)
        except ValueError:
            raise Skip("cannot split %s arguments: %s" % (verb, args))
        words = [self.expand(w) for w in words]
        if verb == "rm":
            raise Skip("`rm` removes working containers; shale has none")
        if verb == "build":
            # buildah always reports through podman-style names; nothing to map.
            pass
        if verb == "build":
            self.check_build_args(words)
        argv = [self.env.shale, "--root", self.store, verb] + words
        try:
            self.run(argv, want)
        except Fail:
            m = re.search(r"source (\S+): no such file or directory in the build context", self.output)
            if verb == "build" and m and not re.search(r"[*?\[]", m.group(1)):
                raise Skip("the test creates context file %s with shell steps the index does not record"
                           % m.group(1))
            raise
        if verb == "build":
            for i, w in enumerate(words):
                f = w[len("--iidfile="):] if w.startswith("--iidfile=") else \
                    (words[i + 1] if w == "--iidfile" and i + 1 < len(words) else None)
                if f and os.path.exists(os.path.join(self.work, f)):
                    with open(os.path.join(self.work, f), encoding="utf-8") as fh:
                        self.vars["iid"] = fh.read().strip()

    def check_build_args(self, words):
        for w in words:
            if w in ("--pull-always", "--pull", "--pull=always", "--pull=true", "--pull=newer"):
                raise Skip("build pulls from a registry (%s)" % w)
        # A scratch directory no `write` step filled was prepared by shell
        # steps the index does not record.
        outputs = ("--iidfile", "--output", "-o", "--logfile", "--rusage-logfile", "--iidfile-raw")
        inputs = [w for i, w in enumerate(words)
                  if not w.startswith(tuple(o + "=" for o in outputs)) and w not in outputs
                  and not (i > 0 and words[i - 1] in outputs)]
        for var in ("TMP", "mytmpdir", "additionalcontextdir", "contextdir"):
            d = self.vars[var]
            if not d.startswith(os.path.join(self.work, "bud")) and d not in self.written and \
                    any(w == d or w.startswith(d + "/") or ("=" + d) in w for w in inputs):
                raise Skip("$%s is prepared by shell steps the index does not record" % var)

    def do_write(self, target):
        if not self.inline:
            raise Skip("no inline file left for `write %s`" % target)
        entry = self.inline.pop(0)
        if entry["written_by_test_to"] != target:
            raise Skip("inline files out of order for `write %s`" % target)
        with open(os.path.join(self.env.data, "inline", entry["file_here"]), encoding="utf-8") as f:
            text = f.read()
        if entry["shell_expansion_in_test"] == "yes":
            text = self.heredoc_expand(text)
        path = self.expand(target)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        for var in PATH_VARS:
            if path.startswith(self.vars[var] + "/"):
                self.written.add(self.vars[var])

    def do_assert(self, left, op, right):
        a = self.expand(left)
        b = self.expand(right, regex_quote=op in ("=~", "!~"))
        if op in ("==", "="):
            ok = a == b
        elif op == "!=":
            ok = a != b
        elif op == "-eq":
            ok = a.strip() == b.strip()
        else:
            try:
                found = re.search(posix_to_python(b), a, re.M) is not None
            except re.error as e:
                raise Skip("regex %r not understood: %s" % (b, e))
            ok = found if op == "=~" else not found
        if not ok:
            what = "output" if left == "$output" else left
            raise Fail("expected %s %s %r; got %r" % (what, op, b[:200], shorten(a, self.work)[-300:]))

    def execute(self):
        steps = [parse_step(s) for s in split_steps(self.row["steps"])]
        if not any(s[0] == "cmd" for s in steps):
            raise Skip("no build command in the index row")
        # Every variable must have a value before anything runs: output and
        # status come from the last command, iid from a build's --iidfile.
        known = set(PATH_VARS) | set(NAME_VARS) | set(CASE_VARS.get(self.id, {})) | {"output", "status"}
        if "--iidfile" in self.row["steps"]:
            known.add("iid")
        for m in VAR_RE.finditer(self.row["steps"]):
            name = m.group(1) or m.group(2)
            if name not in known and self.row["steps"][m.start() - 1:m.start()] != "\\":
                raise Skip("uses a value the index does not define: $" + name)
        self.setup()
        for s in steps:
            kind = s[0]
            if kind == "nop":
                continue
            if kind == "cmd":
                self.do_cmd(s[1], s[2], s[3])
            elif kind == "write":
                self.do_write(s[1])
            elif kind == "lines":
                n = len(self.output.split("\n")) if self.output else 0
                if n != s[1]:
                    raise Fail("expected %d output lines, got %d" % (s[1], n))
            elif kind == "assert":
                self.do_assert(s[1], s[2], s[3])
            elif kind == "shell":
                self.run(["bash", "-c", self.expand_shell(s[1])])

    def expand_shell(self, cmd):
        # Values go in as quoted words; commands that need anything else skip.
        return VAR_RE.sub(lambda m: shlex.quote(self.expand(m.group(0))), cmd)


def shorten(text, work):
    return text.replace(work + "/", "").replace(work, ".")


def posix_to_python(rx):
    classes = {"[:cntrl:]": r"\x00-\x1f\x7f", "[:space:]": r"\s", "[:digit:]": "0-9",
               "[:alpha:]": "A-Za-z", "[:alnum:]": "A-Za-z0-9", "[:upper:]": "A-Z",
               "[:lower:]": "a-z", "[:xdigit:]": "0-9A-Fa-f", "[:punct:]": r"!-/:-@\[-`{-~"}
    for k, v in classes.items():
        rx = rx.replace(k, v)
    # glibc's ERE takes an unmatched ')' literally; Python's re does not.
    out, depth, i, in_bracket = [], 0, 0, False
    while i < len(rx):
        c = rx[i]
        if c == "\\" and i + 1 < len(rx):
            out.append(rx[i:i + 2])
            i += 2
            continue
        if in_bracket:
            in_bracket = c != "]"
        elif c == "[":
            in_bracket = True
        elif c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                c = "\\)"
            else:
                depth -= 1
        out.append(c)
        i += 1
    return "".join(out)


# ---------------------------------------------------------------- environment

class Env:
    pass


def make_seed_store(env, rows):
    rootfs = os.path.join(env.out_dir, "busybox-rootfs.tar")
    script = os.path.join(env.source, "tests/fixtures/rootfs.sh")
    if not os.path.exists(rootfs):
        r = subprocess.run(["bash", script, "busybox", rootfs + ".tmp"], capture_output=True, text=True)
        if r.returncode != 0:
            return "cannot make the busybox rootfs: " + r.stderr.strip()
        os.rename(rootfs + ".tmp", rootfs)
    cfg = subprocess.run(["bash", script, "config", "busybox"], capture_output=True, text=True)
    if cfg.returncode != 0:
        return "rootfs.sh config failed: " + cfg.stderr
    alpine_rootfs = os.path.join(env.out_dir, "alpine-substitute-rootfs.tar")
    with tarfile.open(rootfs) as src, tarfile.open(alpine_rootfs, "w") as dst:
        have = set()
        for m in src.getmembers():
            have.add(m.name.strip("./").rstrip("/"))
            dst.addfile(m, src.extractfile(m) if m.isfile() else None)
        for d in ALPINE_DIRS:
            if d not in have:
                t = tarfile.TarInfo("./" + d)
                t.type, t.mode, t.mtime = tarfile.DIRTYPE, 0o755, 1704067200
                dst.addfile(t)
    env.seed_store = os.path.join(env.scratch, "seed-store")
    sde = dict(os.environ, SOURCE_DATE_EPOCH="1704067200")
    base = {"busybox": (rootfs, set(BUSYBOX_NAMES)), "alpine": (alpine_rootfs, set(ALPINE_NAMES))}
    for row in rows:
        for n in row["base_images"].split(","):
            m = re.search(r"(^|/)(alpine|busybox)(:|$)", n)
            if m:
                base[m.group(2)][1].add(n if ":" in n.split("/")[-1] else n + ":latest")
    for kind, (tar, names) in base.items():
        first = kind + ":latest"
        argv = [env.shale, "--root", env.seed_store, "import"] + cfg.stdout.splitlines() + [tar, first]
        r = subprocess.run(argv, capture_output=True, text=True, env=sde)
        if r.returncode != 0:
            return "shale import failed: " + r.stdout + r.stderr
        for n in sorted(names - {first}):
            r = subprocess.run([env.shale, "--root", env.seed_store, "tag", first, n], capture_output=True, text=True)
            if r.returncode != 0:
                return "shale tag %s failed: %s" % (n, r.stdout + r.stderr)
    return ""


def run_case(env, row):
    c = Case(row, env)
    try:
        c.execute()
        result = ("PASS", "")
    except Skip as e:
        result = ("SKIP", str(e))
    except Fail as e:
        result = ("FAIL", str(e))
    except Exception as e:  # runner bug: report, never hide
        result = ("FAIL", "runner error: %r" % e)
    if c.work:
        with open(os.path.join(env.out_dir, "logs", c.id + ".log"), "w", encoding="utf-8") as f:
            f.write("\n".join(c.log) + "\n")
        if not env.keep:
            shutil.rmtree(c.work, ignore_errors=True)
    return row, result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shale", required=True)
    ap.add_argument("--source", required=True, help="repository root")
    ap.add_argument("--out", required=True, help="directory for the results table and logs")
    ap.add_argument("--data", help="buildah-bud directory (default <source>/../shared/conformance/buildah-bud)")
    ap.add_argument("--cases", help="comma-separated case ids to run (default: all selected)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=180, help="seconds per command")
    ap.add_argument("--min-rate", type=float, default=0.70)
    ap.add_argument("--keep", action="store_true", help="keep per-case scratch directories")
    a = ap.parse_args()

    data = a.data or os.path.join(a.source, "..", "shared", "conformance", "buildah-bud")
    if not os.path.exists(os.path.join(data, "INDEX.tsv")):
        print("SKIP: conformance data not found at %s (expected <repo>/../shared/conformance)" % data)
        return SKIP_RC
    env = Env()
    env.data = os.path.abspath(data)
    env.source = os.path.abspath(a.source)
    env.shale = os.path.abspath(a.shale)
    env.out_dir = os.path.abspath(a.out)
    env.timeout = a.timeout
    env.keep = a.keep
    os.makedirs(os.path.join(env.out_dir, "logs"), exist_ok=True)
    env.scratch = tempfile.mkdtemp(prefix="shale-bud-conf-")
    # buildah's defaults: chroot isolation here, and no layer cache unless
    # --layers (shale caches by default).
    env.child_env = {"BUILDAH_ISOLATION": os.environ.get("BUILDAH_ISOLATION", "chroot"),
                     "BUILDAH_LAYERS": "false", "TMPDIR": env.scratch}
    env.inline = {}
    for e in read_tsv(os.path.join(env.data, "inline", "INDEX.tsv")):
        env.inline.setdefault(e["case_id"], []).append(e)

    rows = read_tsv(os.path.join(env.data, "INDEX.tsv"))
    sel = [r for r in rows if selected(r)]
    print("selection: image_class in {none, substitute-basic}, network == none, "
          "other_buildah_cmds empty: %d of %d cases" % (len(sel), len(rows)))
    if a.cases:
        want = set(a.cases.split(","))
        sel = [r for r in sel if r["case_id"] in want]
    try:
        why = make_seed_store(env, sel)
        if why:
            print("SKIP: " + why)
            return SKIP_RC
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
            results = list(pool.map(lambda r: run_case(env, r), sel))
    finally:
        if not a.keep:
            shutil.rmtree(env.scratch, ignore_errors=True)

    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    table = os.path.join(env.out_dir, "buildah-bud-results.tsv")
    with open(table, "w", encoding="utf-8") as f:
        f.write("# case_id\tresult\treason\tupstream_title\n")
        for row, (res, why) in results:
            counts[res] += 1
            f.write("%s\t%s\t%s\t%s\n" % (row["case_id"], res, why.replace("\t", " ").replace("\n", " "),
                                          row["upstream_title"]))
            print("%-8s %s  %s%s" % (row["case_id"], res, row["upstream_title"][:70],
                                      ("\n           " + why.replace("\n", " ")[:400]) if why else ""))
    ran = counts["PASS"] + counts["FAIL"]
    rate = counts["PASS"] / ran if ran else 0.0
    print("%d passed, %d failed, %d skipped" % (counts["PASS"], counts["FAIL"], counts["SKIP"]))
    print("pass rate among run cases: %.1f%% (need %.0f%%); table: %s; logs: %s"
          % (rate * 100, a.min_rate * 100, table, os.path.join(env.out_dir, "logs")))
    return 0 if ran and rate >= a.min_rate else 1


if __name__ == "__main__":
    sys.exit(main())
