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

Images (bud_fixtures.py): every case gets a fresh store holding the local
busybox image (Debian's busybox-static, tests/fixtures/rootfs.sh) under every
busybox name the selected cases use, and an alpine substitute under every
alpine name: the same rootfs plus alpine's top-level directories, its base
accounts (no uid 1000), /etc/alpine-release, and adduser/addgroup scripts
(alpine's busybox has those applets, Debian's does not); every applet of
`busybox --list` is linked. Nothing is pulled: builds that force a pull
(--pull-always, --pull=always, ...) get a registries.conf mirroring docker.io
and quay.io to a local plain registry (tests/fixtures/registry_fixture.sh)
holding both images.

Steps (bud_steps.py) and values the rows leave out (bud_cases.py): values
captured from earlier commands (`x="$output"`, iidfiles, counts of `images -a`
rows, OCI layout diff_ids) are encoded per case as the upstream test computes
them; so are loop values, the working directory and the upstream helper
build_signalled (bud_signal.py). Still skipped, with the reason: steps outside
the language, values nothing defines, build arguments on lines the index does
not show, files or directories the upstream test prepares with shell steps the
index does not record, loops the index flattens, other upstream helpers.
`--list-skips` prints the skip reasons grouped (always written to
<out>/buildah-bud-skips.txt).

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
import shutil
import sys
import tempfile
import threading

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bud_case import Case, forces_pull  # noqa: E402
from bud_fixtures import make_seed_store, start_registry, stop_registry  # noqa: E402
from bud_steps import Fail, Skip  # noqa: E402

SKIP_RC = 77


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


# ---------------------------------------------------------------- environment

class Env:
    pass


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


def skip_group(reason):
    """A skip reason without its case-specific detail."""
    for pat, group in ((r"^uses a value the index does not define", None),
                       (r"^the test creates context file ", "the test creates a context file with shell steps "
                                                            "the index does not record"),
                       (r"^build uses shell", None), (r"^cannot read assert", None),
                       (r"^upstream (loops|sorts|collects|fills)", "upstream runs steps in a loop; the index "
                                                                   "flattens it")):
        if re.search(pat, reason):
            return group or re.split(r": ", reason, 1)[0]
    return reason


def skip_summary(skips):
    groups = {}
    for case, why in skips:
        groups.setdefault(skip_group(why), []).append(case)
    lines = ["%d skipped, by reason:" % len(skips)]
    for g, cases in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append("%4d  %s\n      %s" % (len(cases), g, " ".join(sorted(cases))))
    return "\n".join(lines)


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
    ap.add_argument("--list-skips", action="store_true",
                    help="print the skip reasons grouped (also written to <out>/buildah-bud-skips.txt); "
                         "with --from-results, read them from an earlier results table instead of running")
    ap.add_argument("--from-results", help="results table to summarize with --list-skips")
    a = ap.parse_args()
    if a.from_results:
        with open(a.from_results, encoding="utf-8") as f:
            res = [ln.rstrip("\n").split("\t") for ln in f if not ln.startswith("#")]
        print(skip_summary([(r[0], r[2]) for r in res if len(r) > 2 and r[1] == "SKIP"]))
        return 0

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
    env.store_lock = threading.Lock()
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
        env.registry_conf, env.registry_error = "", "no selected case forces a pull"
        if any(forces_pull(r["steps"]) for r in sel):
            start_registry(env)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
            results = list(pool.map(lambda r: run_case(env, r), sel))
    finally:
        stop_registry(env)
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
    summary = skip_summary([(row["case_id"], why) for row, (res, why) in results if res == "SKIP"])
    with open(os.path.join(env.out_dir, "buildah-bud-skips.txt"), "w", encoding="utf-8") as f:
        f.write(summary + "\n")
    if a.list_skips:
        print(summary)
    total = len(results)
    print("%d passed, %d failed, %d skipped of %d" % (counts["PASS"], counts["FAIL"], counts["SKIP"], total))
    print("pass rate: %.1f%% of run cases (passed/(passed+failed), need %.0f%%), %.1f%% of all %d; "
          "table: %s; logs: %s" % (rate * 100, a.min_rate * 100, 100.0 * counts["PASS"] / max(1, total), total,
                                   table, os.path.join(env.out_dir, "logs")))
    return 0 if ran and rate >= a.min_rate else 1


if __name__ == "__main__":
    sys.exit(main())
