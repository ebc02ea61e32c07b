"""Images and servers for buildah_bud.py: the seed store (busybox and the
alpine substitute under every name the selected cases use) and, for cases that
force a pull, a local plain-HTTP registry that registries.conf mirrors
docker.io and quay.io to."""
import io
import os
import re
import subprocess
import tarfile

EPOCH = 1704067200
BUSYBOX_NAMES = ["busybox:latest", "docker.io/library/busybox:latest", "quay.io/libpod/busybox:latest"]
ALPINE_NAMES = ["alpine:latest", "docker.io/library/alpine:latest", "quay.io/libpod/alpine:latest"]
# Top-level directories alpine has and the busybox rootfs lacks (empty,
# root-owned, 0755).
ALPINE_DIRS = ["run", "var/log", "var/cache", "var/lib", "var/spool", "var/opt", "var/empty", "mnt", "opt",
               "srv", "media", "lib", "sbin", "usr/lib", "usr/share", "etc/apk"]
# alpine's base accounts (alpine-baselayout): no uid/gid 1000, so the first
# `adduser` gets 1000 as on alpine.
ALPINE_PASSWD = """root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/mail:/sbin/nologin
news:x:9:13:news:/usr/lib/news:/sbin/nologin
uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin
cron:x:16:16:cron:/var/spool/cron:/sbin/nologin
ftp:x:21:21::/var/lib/ftp:/sbin/nologin
sshd:x:22:22:sshd:/dev/null:/sbin/nologin
games:x:35:35:games:/usr/games:/sbin/nologin
ntp:x:123:123:NTP:/var/empty:/sbin/nologin
guest:x:405:100:guest:/dev/null:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
"""
ALPINE_GROUP = """root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin
adm:x:4:root,daemon
tty:x:5:
disk:x:6:root
lp:x:7:lp
kmem:x:9:
wheel:x:10:root
floppy:x:11:root
mail:x:12:mail
news:x:13:news
uucp:x:14:uucp
cron:x:16:cron
audio:x:18:
cdrom:x:19:
dialout:x:20:root
ftp:x:21:
sshd:x:22:
input:x:23:
tape:x:26:root
video:x:27:root
netdev:x:28:
kvm:x:34:kvm
games:x:35:
shadow:x:42:
www-data:x:82:
users:x:100:games
ntp:x:123:
abuild:x:300:
utmp:x:406:
ping:x:999:
nogroup:x:65533:
nobody:x:65534:
"""
# alpine's busybox has adduser/addgroup applets; Debian's busybox-static is
# built without them. These scripts do what the applets do for the options
# the cases use (-D -H -h -g -s -G -S -u; addgroup [-g GID] [-S] GROUP and
# addgroup USER GROUP).
ADDUSER = r"""#!/bin/sh
# adduser for the shale conformance alpine substitute (see bud_fixtures.py)
set -e
home= gecos='Linux User,,,' shell=/bin/sh group= system= nohome= uid= name=
while [ $# -gt 0 ]; do
  case "$1" in
    -h) home=$2; shift ;; -g) gecos=$2; shift ;; -s) shell=$2; shift ;;
    -G) group=$2; shift ;; -u) uid=$2; shift ;; -k) shift ;;
    -S) system=1 ;; -D) ;; -H) nohome=1 ;;
    -*) echo "adduser: unrecognized option: $1" >&2; exit 1 ;;
    *) if [ -z "$name" ]; then name=$1; else group=$1; fi ;;
  esac
  shift
done
[ -n "$name" ] || { echo "usage: adduser [OPTIONS] USER [GROUP]" >&2; exit 1; }
has() { awk -F: -v k="$1" -v v="$2" '$k==v{f=1} END{exit !f}' "$3"; }
free() { i=$1; while has 3 "$i" "$2"; do i=$((i+1)); done; echo "$i"; }
if has 1 "$name" /etc/passwd; then echo "adduser: user '$name' in use" >&2; exit 1; fi
if [ -n "$system" ]; then lo=100; else lo=1000; fi
[ -n "$uid" ] || uid=$(free $lo /etc/passwd)
if [ -n "$group" ]; then
  gid=$(awk -F: -v g="$group" '$1==g{print $3}' /etc/group)
  [ -n "$gid" ] || { echo "adduser: unknown group $group" >&2; exit 1; }
else
  if has 3 "$uid" /etc/group; then gid=$(free $lo /etc/group); else gid=$uid; fi
  echo "$name:x:$gid:" >>/etc/group
fi
[ -n "$home" ] || home=/home/$name
echo "$name:x:$uid:$gid:$gecos:$home:$shell" >>/etc/passwd
if [ -z "$nohome" ]; then mkdir -p "$home"; chown "$uid:$gid" "$home"; chmod 2755 "$home"; fi
"""
ADDGROUP = r"""#!/bin/sh
# addgroup for the shale conformance alpine substitute (see bud_fixtures.py)
set -e
gid= system= a= b=
while [ $# -gt 0 ]; do
  case "$1" in
    -g) gid=$2; shift ;; -S) system=1 ;;
    -*) echo "addgroup: unrecognized option: $1" >&2; exit 1 ;;
    *) if [ -z "$a" ]; then a=$1; else b=$1; fi ;;
  esac
  shift
done
[ -n "$a" ] || { echo "usage: addgroup [-g GID] [-S] [USER] GROUP" >&2; exit 1; }
if [ -n "$b" ]; then
  awk -F: -v OFS=: -v g="$b" -v u="$a" '$1==g{ $4 = ($4=="" ? u : $4 "," u) } {print}' /etc/group >/etc/group.new
  cat /etc/group.new >/etc/group; rm -f /etc/group.new; exit 0
fi
if awk -F: -v g="$a" '$1==g{f=1} END{exit !f}' /etc/group; then echo "addgroup: group '$a' in use" >&2; exit 1; fi
if [ -z "$gid" ]; then
  if [ -n "$system" ]; then gid=100; else gid=1000; fi
  while awk -F: -v i="$gid" '$3==i{f=1} END{exit !f}' /etc/group; do gid=$((gid+1)); done
fi
echo "$a:x:$gid:" >>/etc/group
"""
ALPINE_FILES = {"etc/passwd": (ALPINE_PASSWD, 0o644), "etc/group": (ALPINE_GROUP, 0o644),
                "usr/sbin/adduser": (ADDUSER, 0o755), "usr/sbin/addgroup": (ADDGROUP, 0o755),
                "etc/alpine-release": ("3.22.0 (shale conformance substitute)\n", 0o644),
                "etc/os-release": ('NAME="Alpine Linux (shale conformance substitute: Debian busybox-static)"\n'
                                   'ID=alpine\nVERSION_ID=3.22.0\n', 0o644)}


def busybox_applets():
    r = subprocess.run(["busybox", "--list"], capture_output=True, text=True)
    return [a for a in r.stdout.split() if a and "/" not in a and a != "busybox"] if r.returncode == 0 else []


def _reg(name, mode, data=None, link=None):
    t = tarfile.TarInfo("./" + name)
    t.mode, t.mtime, t.uid, t.gid = mode, EPOCH, 0, 0
    if link is not None:
        t.type, t.linkname = tarfile.SYMTYPE, link
    elif data is None:
        t.type = tarfile.DIRTYPE
    else:
        t.size = len(data)
    return t


def make_alpine_substitute(busybox_tar, out_tar):
    """busybox rootfs + alpine's top-level dirs, accounts, adduser/addgroup;
    every applet of `busybox --list` linked in /bin. Returns the applets that
    had to be added (rootfs.sh should already link them all)."""
    added = []
    with tarfile.open(busybox_tar) as src, tarfile.open(out_tar, "w") as dst:
        have = {}
        for m in src.getmembers():
            have[m.name.strip("./").rstrip("/")] = m
        for name, m in have.items():
            if name in ALPINE_FILES:
                continue
            dst.addfile(m, src.extractfile(m) if m.isfile() else None)
        for d in ALPINE_DIRS:
            if d not in have:
                dst.addfile(_reg(d, 0o755))
        for name, (text, mode) in ALPINE_FILES.items():
            data = text.encode()
            dst.addfile(_reg(name, mode, data), io.BytesIO(data))
        for a in busybox_applets():
            if "bin/" + a not in have:
                added.append(a)
                dst.addfile(_reg("bin/" + a, 0o777, link="busybox"))
    return added


def qualify(name):
    """The name buildah lists for an image reference: docker.io/library/x:latest for x."""
    first, _, rest = name.partition("/")
    if not rest or not ("." in first or ":" in first or first == "localhost"):
        name = "docker.io/library/" + name if not rest else "docker.io/" + name
    elif first == "docker.io" and "/" not in rest:
        name = "docker.io/library/" + rest
    return name if ":" in name.split("/")[-1] else name + ":latest"


def make_seed_store(env, rows):
    """Imports busybox and the alpine substitute into env.seed_store, under
    docker.io/library/NAME:latest, quay.io/libpod/NAME:latest and every other
    busybox/alpine name the selected cases' base_images list; "" or why not.
    Cases get only the names they mention (see store_for)."""
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
    added = make_alpine_substitute(rootfs, alpine_rootfs)
    if added:
        print("note: rootfs.sh left %d busybox applets unlinked; the alpine substitute links them: %s"
              % (len(added), " ".join(added)))
    env.seed_store = os.path.join(env.scratch, "seed-store")
    env.seed_names = {}
    env.store_variants = {}
    sde = dict(os.environ, SOURCE_DATE_EPOCH=str(EPOCH))
    base = {"busybox": (rootfs, set(qualify(n) for n in BUSYBOX_NAMES)),
            "alpine": (alpine_rootfs, set(qualify(n) for n in ALPINE_NAMES))}
    for row in rows:
        for n in row["base_images"].split(","):
            m = re.search(r"(^|/)(alpine|busybox)(:|$)", n)
            if m:
                base[m.group(2)][1].add(qualify(n))
    for kind, (tar, names) in base.items():
        first = qualify(kind)
        argv = [env.shale, "--root", env.seed_store, "import"] + cfg.stdout.splitlines() + [tar, first]
        r = subprocess.run(argv, capture_output=True, text=True, env=sde)
        if r.returncode != 0:
            return "shale import failed: " + r.stdout + r.stderr
        env.seed_names[first] = kind
        for n in sorted(names - {first}):
            r = subprocess.run([env.shale, "--root", env.seed_store, "tag", first, n], capture_output=True, text=True)
            if r.returncode != 0:
                return "shale tag %s failed: %s" % (n, r.stdout + r.stderr)
            env.seed_names[n] = kind
    return ""


def case_text(env, row):
    """Everything a case can name an image in: its steps, bud dirs, inline files."""
    parts = [row["steps"], row["base_images"]]
    for d in [d for d in row["bud_dirs"].split(",") if d]:
        for root, _, files in os.walk(os.path.join(env.data, "bud", d)):
            for f in files:
                try:
                    with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
                        parts.append(fh.read(200000))
                except OSError:
                    pass
    for e in env.inline.get(row["case_id"], []):
        with open(os.path.join(env.data, "inline", e["file_here"]), encoding="utf-8", errors="replace") as fh:
            parts.append(fh.read())
    return "\n".join(parts)


def store_for(env, row):
    """A seed store holding only the image names the case can refer to, as
    upstream's store holds only what the test prefetched (image listings and
    counts depend on it). Variants are made once and reused."""
    text = case_text(env, row)
    keep = set()
    for name in env.seed_names:
        repo, _, tag = name.rpartition(":")
        suffix = ("" if tag == "latest" else ":" + re.escape(tag)) + r"($|[^\w.-])"
        forms = [re.escape(repo)]
        if repo.startswith("docker.io/library/"):
            short = repo[len("docker.io/library/"):]
            forms += [r"docker\.io/" + re.escape(short), r"(^|[^\w./-])" + re.escape(short)]
        if any(re.search(f + suffix, text) for f in forms):
            keep.add(name)
    key = frozenset(keep)
    with env.store_lock:
        path = env.store_variants.get(key)
        if path:
            return path
        path = os.path.join(env.scratch, "seed-%d" % len(env.store_variants))
        subprocess.run(["cp", "-a", env.seed_store, path], check=True)
        for name in sorted(set(env.seed_names) - keep):
            r = subprocess.run([env.shale, "--root", path, "rmi", name], capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError("shale rmi %s: %s" % (name, (r.stdout + r.stderr).strip()))
        env.store_variants[key] = path
        return path


def start_registry(env):
    """A plain local registry holding busybox and alpine as library/* and
    libpod/*, and a registries.conf mirroring docker.io and quay.io to it.
    Sets env.registry_conf (or env.registry_error)."""
    env.registry_conf, env.registry_error = "", ""
    env.registry_dir = os.path.join(env.scratch, "registry")
    fixture = os.path.join(env.source, "tests/fixtures/registry_fixture.sh")
    r = subprocess.run(["bash", fixture, "start", "--dir", env.registry_dir, "--mode", "plain"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        env.registry_error = "registry_fixture.sh start failed: " + (r.stderr.strip().splitlines() or [""])[-1]
        return
    host = dict(ln.split("=", 1) for ln in r.stdout.splitlines() if "=" in ln).get("HOST", "")
    for image in ("busybox", "alpine"):
        for repo in ("library", "libpod"):
            dest = "docker://%s/%s/%s:latest" % (host, repo, image)
            p = subprocess.run([env.shale, "--root", env.seed_store, "push", "--tls-verify=false", "-q",
                                qualify(image), dest], capture_output=True, text=True)
            if p.returncode != 0:
                env.registry_error = "shale push %s failed: %s" % (dest, (p.stdout + p.stderr).strip()[-200:])
                return
    conf = os.path.join(env.registry_dir, "registries.conf")
    with open(conf, "w", encoding="utf-8") as f:
        for prefix in ("docker.io", "quay.io"):
            f.write('[[registry]]\nprefix = "%s"\nlocation = "%s"\n[[registry.mirror]]\nlocation = "%s"\n'
                    'insecure = true\n\n' % (prefix, prefix, host))
    env.registry_conf = conf


def stop_registry(env):
    if getattr(env, "registry_dir", None):
        fixture = os.path.join(env.source, "tests/fixtures/registry_fixture.sh")
        subprocess.run(["bash", fixture, "stop", "--dir", env.registry_dir], capture_output=True, text=True)
