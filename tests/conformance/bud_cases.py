"""Per-case knowledge the INDEX.tsv rows leave out, for buildah_bud.py.

Every entry names the case and says where the value comes from in upstream
tests/bud.bats (the test with the case's upstream_title): the index renders
`run_buildah ...` lines as steps but drops the shell assignments between them
(`x="$output"`, `x=$(< file)`, `x=$(echo "$output" | awk ...)`), so a value
used later is unknown to the runner. Each assignment is encoded here with the
exact rule the bats test uses; nothing here decides an outcome.

Captures are (after_command, variable, kind, argument). after_command counts
the row's commands (build/inspect/images/rmi/rm) from 1 in index order; the
capture is taken right after that command ran. Kinds:
  output       the command's whole output (`x="$output"`)
  last_line    its last line (`x=$(echo "$output" | tail -1)`)
  none_ids     the IMAGE ID column of `images -a` rows whose REPOSITORY and
               TAG are both <none>, newline-separated
               (`x=$(echo "$output" | awk '$1 == "<none>" && $2 == "<none>" {print $3}')`)
  none_count   how many such rows (`... | wc -w` on the list above)
  none_nth     the Nth (1-based) of those ids (`... | awk 'NR==N'`)
  grep_count   lines of the output matching the argument (`grep -c ARG`)
  file         the content of a file, trailing newlines removed (`x=$(< FILE)`)
  oci_diff_id  entry N (0-based) of rootfs.diff_ids of the image in the OCI
               layout directory (upstream helper oci_image_diff_id LAYOUT N)
  oci_last_diff  blobs/ALG/HEX of the last layer of the image in the OCI
               layout directory (upstream helper oci_image_last_diff LAYOUT)
  empty        a variable the upstream test reads but never sets (a typo
               upstream): bash expands it to the empty string
"""

# The save-stages tests (upstream "[test ...]" cases) all count intermediate
# images the same way: rows of `buildah images -a` whose first two columns
# are <none>, counted with wc -w.
_NONE2 = [(2, "count_first", "none_count", None), (4, "count_second", "none_count", None)]

CAPTURES = {
    # "build-with-inline-platform-and-rely-on-defaultbuiltinargs-check-custom-
    # override" reads $otherarch, which only the test before it sets.
    "bud-051": [(0, "otherarch", "empty", None)],
    # "no empty layer for metadata-only instructions without --layers":
    # base_layers="$output" after `inspect -f '{{len .Docker.RootFS.DiffIDs}}' alpine`.
    "bud-008": [(1, "base_layers", "output", None)],
    # "bud with --layers and single and two line Dockerfiles": fromDigest="$output"
    # after the first inspect of alpine's FromImageDigest.
    "bud-097": [(1, "fromDigest", "output", None)],
    # "... override ARG with ENV and image must be cached": idbefore="$output"
    # after the first inspect.
    "bud-107": [(2, "idbefore", "output", None)],
    # "... use raw ARG and cache should not be used": idbefore / idafter after
    # the two inspects.
    "bud-108": [(2, "idbefore", "output", None), (4, "idafter", "output", None)],
    # "bud-with-identity-label": local withlabels="$output" after inspecting
    # scratch-image-2.
    "bud-131": [(4, "withlabels", "output", None)],
    # "bud-additional-tags-cached": busyboxid / targetid = "$output" after the
    # inspects of busybox and ${target}.
    "bud-158": [(3, "busyboxid", "output", None), (4, "targetid", "output", None)],
    # "bud-no-change": parent=alpine; parentid="$output" after inspecting it.
    "bud-274": [(2, "parentid", "output", None)],
    # "bud-caching-from-scratch(-config)": iid="$output" of the first --quiet build.
    "bud-323": [(1, "iid", "output", None)],
    "bud-324": [(1, "iid", "output", None)],
    # "bud-multistage-relabel": fromDigest, firstDigest, firstImageID = "$output"
    # after the inspects that follow the first build.
    "bud-394": [(1, "fromDigest", "output", None), (3, "firstDigest", "output", None),
                (4, "firstImageID", "output", None)],
    # "bud-from-relabel": alpineDigest / busyboxDigest = "$output".
    "bud-395": [(1, "alpineDigest", "output", None), (2, "busyboxDigest", "output", None)],
    # "bud source-date-epoch and timestamp inform cache checks": each id read
    # from its --iidfile; $basesde and $basets are never set upstream.
    "bud-464": [(1, "baseiid", "file", "$TMP/baseiidfile"), (2, "iidsde", "file", "$TMP/iidfile-sde"),
                (3, "iidts", "file", "$TMP/iidfile-ts"), (4, "iidrt", "file", "$TMP/iidfile-rt"),
                (0, "basesde", "empty", None), (0, "basets", "empty", None)],
    # "bud --link consistent diffID ...": oci_image_diff_id LAYOUT 2 (and 3).
    "bud-466": [(2, "diffid1", "oci_diff_id", ("$TMP/oci-layout1", 2)),
                (2, "diffid2", "oci_diff_id", ("$TMP/oci-layout2", 2))],
    "bud-467": [(2, "diffid_alpine", "oci_diff_id", ("$TMP/oci-layout-alpine", 2)),
                (2, "diffid_busybox", "oci_diff_id", ("$TMP/oci-layout-busybox", 2))],
    "bud-468": [(2, "copy_diffid1", "oci_diff_id", ("$TMP/oci-layout-multi1", 2)),
                (2, "copy_diffid2", "oci_diff_id", ("$TMP/oci-layout-multi2", 2)),
                (2, "add_diffid1", "oci_diff_id", ("$TMP/oci-layout-multi1", 3)),
                (2, "add_diffid2", "oci_diff_id", ("$TMP/oci-layout-multi2", 3))],
    # "bud --layers should not include pulled up parent directories of mount
    # points": lastlayer=$(oci_image_last_diff $TMP/oci-image).
    "bud-477": [(1, "lastlayer", "oci_last_diff", "$TMP/oci-image")],
    # "bud with --iidfile and --iidfile-raw comparison": iid=$(< iidfile),
    # iid_raw=$(< iidfile-raw).
    "bud-484": [(1, "iid", "file", "$TMP/iidfile"), (1, "iid_raw", "file", "$TMP/iidfile-raw")],
    # save-stages: see _NONE2 above.
    "bud-498": [(2, "baseline_count", "none_count", None)],
    "bud-499": [(2, "intermediate_count", "none_count", None), (2, "image_id", "none_ids", None)],
    "bud-500": [(2, "intermediate_count", "none_count", None)],
    "bud-501": [(2, "baseline_count", "none_count", None), (5, "save_count", "none_count", None)],
    "bud-502": [(2, "baseline_count", "none_count", None), (5, "save_count", "none_count", None)],
    "bud-503": [(2, "intermediate_count", "none_count", None), (2, "intermediate_image", "none_ids", None)],
    "bud-510": [(2, "num_intermediate", "none_count", None)],
    # "[test final image] ... RootFS.DiffIDs count": save_stages_count,
    # normal_count, layers_count = "$output" of the three inspects.
    "bud-511": [(2, "save_stages_count", "output", None), (4, "normal_count", "output", None),
                (6, "layers_count", "output", None)],
    "bud-512": [(2, "intermediate_image", "none_ids", None)],
    "bud-513": [(1, "first_build_image_id", "last_line", None),
                (2, "first_intermediate_layers_count", "none_count", None),
                (3, "second_build_image_id", "last_line", None),
                (3, "cache_count", "grep_count", "Using cache"),
                (4, "second_intermediate_layers_count", "none_count", None)],
    "bud-514": _NONE2 + [(6, "count_third", "none_count", None)],
    "bud-515": _NONE2 + [(6, "count_third", "none_count", None)],
    "bud-516": [(1, "first_build_final_image_id", "last_line", None),
                (3, "second_build_final_image_id", "last_line", None),
                (3, "cache_count", "grep_count", "Using cache")] + _NONE2,
    "bud-517": _NONE2,
    "bud-518": _NONE2,
    "bud-519": _NONE2,
}

# Names the tests give images (any lowercase name works the same).
CASE_NAMES = {
    # "[test final image] ...": three targets.
    "bud-511": {"target_cache": "save-stages-layer-count", "target_normal": "normal-layer-count",
                "target_layers": "with-layers-count"},
    # "bud-no-change": parent=alpine.
    "bud-274": {"parent": "alpine"},
    # "bud-with-rejected-name": an uppercase -t (the index leaves it out).
    "bud-206": {"target": "Bad-Name"},
}

# Loop variables: upstream runs the steps that use the variable once per value.
CASE_LOOPS = {
    # "build using intermediate images should not inherit label": for i in 2 6,
    # line i of the build output must match "Using cache".
    "bud-144": ("i", ["2", "6"]),
    # "bud with --dns* flags": for dnsopt in --dns --dns-option --dns-search,
    # a build with $dnsopt=example.com --network=none must fail with
    # "Error: the $dnsopt option cannot be used with --network=none".
    "bud-013": ("dnsopt", ["--dns", "--dns-option", "--dns-search"]),
}

# Working directory of the commands when upstream `cd`s first.
CASE_CWD = {
    # "bud without any arguments should succeed": cd $BUDFILES/from-scratch.
    "bud-267": "bud/from-scratch",
}

# Environment variables upstream sets for the commands (`export X=...` or a
# `X=... run_buildah` prefix), which the index drops.
CASE_ENV = {
    # "bud with containerfile env secret priority": export mysecret=ENVDATA.
    "bud-383": {"mysecret": "ENVDATA"},
    # "bud with Containerfile.in, via envariable": BUILDAH_CPPFLAGS="-DTESTCPPDEBUG" run_buildah build ...
    "bud-284": {"BUILDAH_CPPFLAGS": "-DTESTCPPDEBUG"},
    # "bud-suppressed-identity-label": its middle build, with no flag, expects
    # no identity label: upstream runs it with SOURCE_DATE_EPOCH=60 (the first
    # and last builds pass --source-date-epoch=60 / --timestamp=60 and are
    # unaffected by the variable).
    "bud-133": {"SOURCE_DATE_EPOCH": "60"},
}

# Files upstream makes with shell steps (`echo X > FILE`) the index drops.
CASE_FILES = {
    # "build-with-additional-build-context and RUN --mount=from=, additional-
    # context not image ..." and "... must use cache if built with layers":
    # echo world > $contextdir/hello.
    "bud-091": {"$contextdir/hello": "world\n"},
    "bud-092": {"$contextdir/hello": "world\n"},
}

# Signals for the upstream helper build_signalled (its argument per test).
SIGNALLED = {"bud-429": "SIGINT", "bud-430": "SIGTERM", "bud-431": "SIGKILL"}

# Cases the index cannot represent, with the reason read from upstream.
CASE_SKIPS = {
    "bud-117": "the index omits the fourth build (run with foo=baz in its environment) that the last "
               "expectation checks",
    "bud-138": "upstream loops over every intermediate image (inspect + jq <<<); the index shows one pass",
    "bud-320": "upstream compares with $timestamp, which that test never sets (it sets $TIMESTAMP)",
    "bud-396": "upstream inspects the image with podman create/export (shell steps the index omits)",
    "bud-397": "upstream inspects the image with podman create/export (shell steps the index omits)",
    "bud-435": "upstream skips the test when run as root (the keep-groups half); the runner runs as root",
    "bud-461": "upstream loops over --timestamp/--source-date-epoch ($cliflag) with helper "
               "dir_image_config; the index shows one pass",
    "bud-462": "upstream loops over six flag variants with if/elif branches; the index flattens them",
    "bud-482": "upstream loops over --layers values and five destinations; the index shows one pass",
    "bud-504": "upstream sorts intermediate images into parent/child in a loop; the index flattens it",
    "bud-505": "upstream loops over --jobs 1 2 and over intermediate images; the index flattens it",
    "bud-506": "upstream collects stage names in a loop over intermediate images; the index flattens it",
    "bud-507": "upstream fills associative arrays in a loop over intermediate images; the index flattens it",
    "bud-509": "upstream fills an associative array in a loop over intermediate images; the index flattens it",
}
