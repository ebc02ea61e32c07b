"""One buildah-bud conformance case: set up its scratch directory and store,
interpret its steps (bud_steps), check every expectation."""
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile

from bud_fixtures import store_for
from bud_cases import CAPTURES, CASE_CWD, CASE_ENV, CASE_FILES, CASE_LOOPS, CASE_NAMES, CASE_SKIPS, SIGNALLED
from bud_signal import build_signalled
from bud_steps import (CMD_VERBS, SHELL_SUBST, VAR_RE, Fail, Skip, bats_lines, parse_step,
                       posix_to_python, split_steps, var_names)

# Variables a test defines that we can give a value: image names (upstream
# uses arbitrary lowercase names) and scratch paths.
NAME_VARS = {"target": "target-image", "imgname": "img-name", "imgName": "img-name",
             "target2": "target-image2", "target3": "target-image3", "target4": "target-image4"}
PATH_VARS = {"TMP": "tmp", "contextdir": "context", "mytmpdir": "mytmp",
             "additionalcontextdir": "addctx", "SRC": "src"}
FORCED_PULL = ("--pull-always", "--pull", "--pull=always", "--pull=true", "--pull=newer")
# A permissive signature policy, what upstream's tests/policy.json says.
POLICY_JSON = '{"default": [{"type": "insecureAcceptAnything"}]}\n'


def forces_pull(args):
    return any(w in FORCED_PULL for w in args.split())


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
        self.cmd_no = 0
        self.images_output = ""
        self.child_env = dict(env.child_env)
        self.child_env.update(CASE_ENV.get(self.id, {}))

    # Variables -------------------------------------------------------------
    def value(self, name, index=None, count=False, op=None, word=None):
        if name == "lines":
            lines = bats_lines(self.output)
            if count:
                return str(len(lines))
            if index in (None, "*", "@"):
                return " ".join(lines)
            if index.startswith("$"):
                index = self.value(index[1:])
            i = int(index)
            return lines[i] if 0 <= i < len(lines) else ""
        if name == "output":
            val = self.output
        elif name == "status":
            val = str(self.status)
        elif name in self.vars:
            val = self.vars[name]
        else:
            raise Skip("uses a value the index does not define: $" + name)
        if count:
            return str(len(val))
        if op == "#" and val.startswith(word):
            val = val[len(word):]
        elif op == "%" and word and val.endswith(word):
            val = val[:-len(word)]
        return val

    def expand(self, text, regex_quote=False):
        def sub(m):
            if text[m.start() - 1:m.start()] == "\\":
                return m.group(0)[0:]  # the backslash stays; removed below
            name = m.group(2) or m.group(6)
            val = self.value(name, m.group(3), m.group(1) == "#", m.group(4), m.group(5))
            return re.escape(val) if regex_quote and name != "output" else val
        return VAR_RE.sub(sub, text).replace("\\$", "$")

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
                    name = m.group(2) or m.group(6)
                    if name not in self.vars:
                        raise Skip("inline file uses a value the index does not define: $" + name)
                    out.append(self.expand(m.group(0)))
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
        shutil.copytree(store_for(self.env, self.row), self.store, symlinks=True)
        dirs = [d for d in self.row["bud_dirs"].split(",") if d]
        for d in dirs:
            src = os.path.join(self.env.data, "bud", d)
            if not os.path.isdir(src):
                raise Skip("bud/%s is not in the developer set" % d)
            shutil.copytree(src, os.path.join(self.work, "bud", d), symlinks=True)
        for var, sub in PATH_VARS.items():
            self.vars[var] = os.path.join(self.work, sub)
            os.makedirs(self.vars[var], exist_ok=True)
        with open(os.path.join(self.vars["SRC"], "policy.json"), "w", encoding="utf-8") as f:
            f.write(POLICY_JSON)
        self.written.add(self.vars["SRC"])
        # With one context directory, $contextdir is that directory (upstream
        # copies it or points at it).
        if len(dirs) == 1:
            self.vars["contextdir"] = os.path.join(self.work, "bud", dirs[0])
        self.vars.update(NAME_VARS)
        if "bud/${target}" in self.row["steps"] and len(dirs) == 1:
            self.vars["target"] = dirs[0]
        self.vars.update(CASE_NAMES.get(self.id, {}))
        self.capture(0)
        for path, text in CASE_FILES.get(self.id, {}).items():
            path = self.expand(path)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        if forces_pull(self.row["steps"]):
            if not self.env.registry_conf:
                raise Skip("build forces a pull and the local registry is not available: "
                           + self.env.registry_error)
            self.child_env["CONTAINERS_REGISTRIES_CONF"] = self.env.registry_conf

    # Captures (bud_cases.CAPTURES) ----------------------------------------
    def none_ids(self):
        ids = []
        for line in self.images_output.split("\n"):
            cols = line.split()
            if len(cols) >= 3 and cols[0] == "<none>" and cols[1] == "<none>":
                ids.append(cols[2])
        return ids

    def capture(self, after):
        for n, var, kind, arg in CAPTURES.get(self.id, []):
            if n != after:
                continue
            if kind == "output":
                val = self.output
            elif kind == "last_line":
                val = (self.output.split("\n") or [""])[-1]
            elif kind == "none_ids":
                val = "\n".join(self.none_ids())
            elif kind == "none_count":
                val = str(len(self.none_ids()))
            elif kind == "grep_count":
                val = str(sum(1 for ln in self.output.split("\n") if re.search(posix_to_python(arg), ln)))
            elif kind == "file":
                try:
                    with open(self.expand(arg), encoding="utf-8") as f:
                        val = f.read().rstrip("\n")
                except OSError as e:
                    raise Fail("reading %s for $%s: %s" % (arg, var, e.strerror))
            elif kind in ("oci_diff_id", "oci_last_diff"):
                val = self.oci_value(kind, arg, var)
            elif kind == "empty":
                val = ""
            else:
                raise RuntimeError("unknown capture kind " + kind)
            self.vars[var] = val

    def oci_value(self, kind, arg, var):
        layout = self.expand(arg[0] if kind == "oci_diff_id" else arg)
        try:
            with open(os.path.join(layout, "index.json"), encoding="utf-8") as f:
                mdesc = json.load(f)["manifests"][0]
            manifest = self.oci_blob(layout, mdesc["digest"])
            if kind == "oci_last_diff":
                alg, hexd = manifest["layers"][-1]["digest"].split(":", 1)
                return "blobs/%s/%s" % (alg, hexd)
            config = self.oci_blob(layout, manifest["config"]["digest"])
            return config["rootfs"]["diff_ids"][arg[1]]
        except (OSError, ValueError, KeyError, IndexError) as e:
            raise Fail("reading the OCI layout %s for $%s: %r" % (shorten(layout, self.work), var, e))

    @staticmethod
    def oci_blob(layout, digest):
        alg, hexd = digest.split(":", 1)
        with open(os.path.join(layout, "blobs", alg, hexd), encoding="utf-8") as f:
            return json.load(f)

    # Commands --------------------------------------------------------------
    def run(self, argv, want=None, shell=False, cwd=None):
        env = dict(os.environ)
        env.update(self.child_env)
        try:
            p = subprocess.run(argv, cwd=cwd or self.work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
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
        if verb == "rm":
            raise Skip("`rm` removes working containers; shale has none")
        cwd = os.path.join(self.work, CASE_CWD[self.id]) if self.id in CASE_CWD else None
        if SHELL_SUBST.search(args):
            # Process substitution, here-strings, $(...): bash runs the line,
            # with the index's variables substituted as quoted words.
            self.check_build_args(args.split()) if verb == "build" else None
            line = "%s --root %s %s %s" % (shlex.quote(self.env.shale), shlex.quote(self.store), verb,
                                           self.expand_shell(args))
            words = None
            run = lambda: self.run(["bash", "-c", line], want, cwd=cwd)  # noqa: E731
        else:
            try:
                words = [self.expand(w) for w in shlex.split(args)]
            except ValueError:
                raise Skip("cannot split %s arguments: %s" % (verb, args))
            if verb == "build":
                self.check_build_args(words)
            argv = [self.env.shale, "--root", self.store, verb] + words
            run = lambda: self.run(argv, want, cwd=cwd)  # noqa: E731
        try:
            run()
        except Fail:
            m = re.search(r"source (\S+): no such file or directory", self.output)
            if verb == "build" and m and words and self.source_absent(m.group(1), words):
                raise Skip("the test creates context file %s with shell steps the index does not record"
                           % m.group(1))
            raise
        finally:
            self.cmd_no += 1
            if verb == "images":
                self.images_output = self.output
        if verb == "build" and words:
            self.read_iidfile(words)
        self.capture(self.cmd_no)

    def source_absent(self, src, words):
        """True when no candidate context of the build (directory arguments,
        --build-context NAME=DIR values, the working directory) has a file
        matching the COPY/ADD source shale reported missing: the upstream test
        made it with shell steps the index omits."""
        ctxs = [w for w in words if not w.startswith("-") and os.path.isdir(os.path.join(self.work, w))]
        ctxs += [w.split("=", 1)[1] for w in words if re.match(r"^[\w.-]+=/", w)]  # --build-context NAME=DIR
        ctxs.append(self.work)  # no context argument: the working directory
        return not any(glob.glob(os.path.join(self.work, c, src.lstrip("/"))) for c in ctxs)

    def read_iidfile(self, words):
        for i, w in enumerate(words):
            f = w[len("--iidfile="):] if w.startswith("--iidfile=") else \
                (words[i + 1] if w == "--iidfile" and i + 1 < len(words) else None)
            if f and os.path.exists(os.path.join(self.work, f)):
                with open(os.path.join(self.work, f), encoding="utf-8") as fh:
                    self.vars["iid"] = fh.read().strip()

    def check_build_args(self, words):
        # A scratch directory no `write` step filled was prepared by shell
        # steps the index does not record.
        outputs = ("--iidfile", "--output", "-o", "--logfile", "--rusage-logfile", "--iidfile-raw")
        inputs = [w for i, w in enumerate(words)
                  if not w.startswith(tuple(o + "=" for o in outputs)) and w not in outputs
                  and not (i > 0 and words[i - 1] in outputs) and not w.startswith(("-t", "--tag"))
                  and not (i > 0 and words[i - 1] in ("-t", "--tag"))]
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
        path = self.expand(shell_unquote(target))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        for var in PATH_VARS:
            if path.startswith(self.vars[var] + "/"):
                self.written.add(self.vars[var])

    def do_assert(self, left, op, right):
        a = self.expand(left)
        b = self.expand(right, regex_quote=op in ("=~", "!~"))
        nums = {"-eq": int.__eq__, "-ne": int.__ne__, "-gt": int.__gt__, "-ge": int.__ge__,
                "-lt": int.__lt__, "-le": int.__le__}
        if op in ("==", "="):
            ok = a == b
        elif op == "!=":
            ok = a != b
        elif op in nums:
            try:
                ok = nums[op](int(a.strip()), int(b.strip()))
            except ValueError:
                ok = False
        else:
            try:
                found = re.search(posix_to_python(b), a, re.M) is not None
                # INDEX.tsv holds upstream's tabs as spaces (e.g. bud-325's
                # "CapBnd:<TAB>…"), so the output is also tried that way.
                if not found and "\t" in a:
                    found = re.search(posix_to_python(b), a.replace("\t", " "), re.M) is not None
            except re.error as e:
                raise Skip("regex %r not understood: %s" % (b, e))
            ok = found if op == "=~" else not found
        if not ok:
            what = "output" if left == "$output" else left
            raise Fail("expected %s %s %r; got %r" % (what, op, b[:200], shorten(a, self.work)[-300:]))

    def do_signalled(self):
        build_signalled(self, SIGNALLED[self.id])

    def execute(self):
        if self.id in CASE_SKIPS:
            raise Skip(CASE_SKIPS[self.id])
        reqs = self.row["requires"].split(",")
        if "skip_if_chroot" in reqs and self.child_env.get("BUILDAH_ISOLATION") == "chroot":
            raise Skip("upstream skips this test under chroot isolation (skip_if_chroot); the runner uses chroot")
        if "skip_if_root_environment" in reqs and os.geteuid() == 0:
            raise Skip("upstream skips this test when run as root (skip_if_root_environment)")
        if "skip_if_rootless_environment" in reqs and os.geteuid() != 0:
            raise Skip("upstream skips this test when not run as root (skip_if_rootless_environment)")
        if self.row["steps"].endswith(" ..."):
            raise Skip("index row truncated at 1500 characters")
        steps = [parse_step(s) for s in split_steps(self.row["steps"])]
        if not any(s[0] in ("cmd", "signalled") for s in steps):
            raise Skip("no build command in the index row")
        # Every variable must have a value before anything runs.
        known = set(PATH_VARS) | set(NAME_VARS) | set(CASE_NAMES.get(self.id, {})) | \
            {"output", "status", "lines"} | {c[1] for c in CAPTURES.get(self.id, [])}
        if "--iidfile" in self.row["steps"]:
            known.add("iid")
        loop = CASE_LOOPS.get(self.id)
        if loop:
            known.add(loop[0])
        for name in var_names(self.row["steps"]):
            if name not in known:
                raise Skip("uses a value the index does not define: $" + name)
        self.setup()
        # Consecutive steps that use the loop variable form the loop body,
        # run once per value (upstream's for loop).
        uses = (lambda st: bool(loop) and st[0] != "nop"
                and any(re.search(r"\$\{?%s\b" % loop[0], str(x)) for x in st[1:]))
        i = 0
        while i < len(steps):
            if not uses(steps[i]):
                self.step(steps[i])
                i += 1
                continue
            j = i
            while j < len(steps) and uses(steps[j]):
                j += 1
            for v in loop[1]:
                self.vars[loop[0]] = v
                for st in steps[i:j]:
                    self.step(st)
            i = j

    def step(self, s):
        kind = s[0]
        if kind == "nop":
            return
        if kind == "cmd":
            self.do_cmd(s[1], s[2], s[3])
        elif kind == "signalled":
            self.do_signalled()
        elif kind == "write":
            self.do_write(s[1])
        elif kind == "lines":
            n = len(bats_lines(self.output))  # bats' expect_line_count counts ${lines[@]}
            if n != s[1]:
                raise Fail("expected %d output lines, got %d" % (s[1], n))
        elif kind == "assert":
            self.do_assert(s[1], s[2], s[3])
        elif kind == "shell":
            self.run(["bash", "-c", self.expand_shell(s[1])])

    def expand_shell(self, cmd):
        # Values go in as quoted words (outside quotes) or raw (inside "...").
        out, i, in_dq = [], 0, False
        while i < len(cmd):
            c = cmd[i]
            if c == "\\" and i + 1 < len(cmd):
                out.append(cmd[i:i + 2])
                i += 2
                continue
            if c == "'" and not in_dq:
                j = cmd.find("'", i + 1)
                j = len(cmd) - 1 if j < 0 else j
                out.append(cmd[i:j + 1])
                i = j + 1
                continue
            if c == '"':
                in_dq = not in_dq
            m = VAR_RE.match(cmd, i) if c == "$" else None
            if m:
                val = self.expand(m.group(0))
                out.append(val.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")
                           if in_dq else shlex.quote(val))
                i = m.end()
                continue
            out.append(c)
            i += 1
        return "".join(out)


def shell_unquote(text):
    try:
        words = shlex.split(text)
    except ValueError:
        return text
    return words[0] if len(words) == 1 else text


def shorten(text, work):
    return text.replace(work + "/", "").replace(work, ".")
