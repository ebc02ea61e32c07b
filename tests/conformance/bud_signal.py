"""The upstream bats helper build_signalled, for buildah_bud.py."""
import os
import signal
import subprocess
import time

from bud_steps import Fail


def build_signalled(case, signame):
    """Upstream helper build_signalled SIG: start `build bud/long-sleep`
    (RUN sleep 300, then RUN echo not fully killed), signal it while the
    sleep runs, wait for it; its output must not contain "not fully
    killed". The runner also requires the build to end within 60 s of the
    signal and, for SIGINT/SIGTERM, that no process of the build is left."""
    sig = getattr(signal, signame)
    log_path = os.path.join(case.work, "signalled.log")
    env = dict(os.environ)
    env.update(case.child_env)
    argv = [case.env.shale, "--root", case.store, "build", "bud/long-sleep"]
    with open(log_path, "wb") as log:
        p = subprocess.Popen(argv, cwd=case.work, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=env)
    deadline = time.time() + 30
    while time.time() < deadline and p.poll() is None and "sleep 300" not in read_text(log_path):
        time.sleep(0.5)
    time.sleep(2)  # the RUN step has started its process
    early = p.poll()
    if early is None:
        p.send_signal(sig)
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            case.log.append("$ %s  [still running 60 s after %s]\n%s" % (" ".join(argv), sig.name,
                                                                           read_text(log_path)))
            raise Fail("build still running 60 s after %s" % sig.name)
    out = read_text(log_path).rstrip("\n")
    case.log.append("$ %s  [%s after %s]\n%s" % (" ".join(argv), p.returncode,
                                                  "exit before the signal" if early is not None else sig.name,
                                                  out))
    if early is not None:
        raise Fail("build ended (exit %s) before the signal could be sent: %s"
                   % (early, (out.splitlines() or [""])[-1][:200]))
    left = leftover_processes(case.work)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if "not fully killed" in out:
        raise Fail("the build went on after %s: output has 'not fully killed'" % sig.name)
    if left and sig != signal.SIGKILL:
        raise Fail("%d process(es) of the build still running after %s" % (len(left), sig.name))


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def leftover_processes(work):
    """Processes whose root or cwd lies under the case's scratch directory."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        for what in ("root", "cwd"):
            try:
                target = os.readlink("/proc/%s/%s" % (d, what))
            except OSError:
                continue
            if target.startswith(work + "/"):
                pids.append(int(d))
                break
    return pids
