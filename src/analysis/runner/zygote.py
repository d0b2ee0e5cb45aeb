"""The kernel zygote: a process that imports the run's modules once and forks each kernel.

A fresh kernel spends most of its first second or two importing pandas, matplotlib, IPython
and the package before a notebook's own work starts. The runner starts this process once per
run (``python -m analysis.runner.zygote SOCKET MODULE...``); it imports the modules, opens a
Unix socket at SOCKET and, per request, forks a child that becomes an ordinary ipykernel (the
same ``ipykernel_launcher`` command the kernel spec gives, with the request's environment,
working directory and output files). A notebook's namespace starts empty as in any kernel:
only ``sys.modules`` is warm, and the memos of the warm-up functions the run names
(``module:function``, e.g. shapes decoded from the raw files, keyed on each file's version).
What it loaded is frozen for the garbage collector (``gc.freeze``), as pre-fork servers do.

A request is refused (the worker then starts the kernel the usual way) when its command is not
the spec's ipykernel command for this interpreter, or when its environment differs from the
one this process started with in anything but the per-kernel keys: variables such as
``PYTHONHASHSEED`` or ``OPENBLAS_NUM_THREADS`` act at interpreter start or import, so a forked
kernel must not be asked to honour different values. Only stdlib is imported at module level:
what is warm is decided by the run.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import importlib.util
import json
import os
import select
import signal
import socket
import sys
import threading
import traceback

# Set per kernel by jupyter_client (and per test phase by pytest); everything else must equal
# this process's start environment.
PER_KERNEL_ENV = ("JPY_PARENT_PID", "JPY_SESSION_NAME", "PYDEVD_DISABLE_FILE_VALIDATION",
                  "PYTEST_CURRENT_TEST")  # fmt: skip
# Threads a library starts at import that survive a fork safely (jemalloc re-creates its
# background thread in the child); any other thread makes forking unsafe.
FORK_SAFE_THREADS = ("jemalloc_bg_thd",)
LAUNCHER = "ipykernel_launcher"


def interpreter_command(kernel_argv: list[str]) -> list[str] | None:
    """The interpreter and its options from a kernel spec's argv
    (``python [-X...] -m ipykernel_launcher -f {connection_file}``), or None if it is not one."""
    if len(kernel_argv) < 3 or LAUNCHER not in kernel_argv:
        return None
    at = kernel_argv.index(LAUNCHER)
    if at < 2 or kernel_argv[at - 1] != "-m":
        return None
    return kernel_argv[: at - 1]


def foreign_threads() -> list[str]:
    """Names of this process's native threads other than the main one and the fork-safe ones."""
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return []
    names = []
    for task in tasks:
        if int(task) == os.getpid():
            continue
        try:
            with open(f"/proc/self/task/{task}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        if name not in FORK_SAFE_THREADS:
            names.append(name)
    return names


def refusal(request: dict, start_env: dict[str, str], start_argv: list[str]) -> str:
    """Why a request cannot be forked from this process ("" when it can)."""
    argv = request.get("argv") or []
    if interpreter_command(argv) != start_argv:
        return f"kernel command {argv[:3]} is not this interpreter's ipykernel"
    env = {k: v for k, v in (request.get("env") or {}).items() if k not in PER_KERNEL_ENV}
    mine = {k: v for k, v in start_env.items() if k not in PER_KERNEL_ENV}
    differ = sorted(k for k in set(env) | set(mine) if env.get(k) != mine.get(k))
    if differ:
        return f"environment differs in {differ[:5]}"
    return ""


def _watch_parent(pid: int) -> None:
    """Exit when the process that asked for this kernel is gone, as ipykernel does when its
    parent exits (a forked kernel's parent is the zygote, which may outlive the worker)."""
    try:
        pidfd = os.pidfd_open(pid)
    except (OSError, AttributeError):
        return

    def wait() -> None:
        select.select([pidfd], [], [])
        os._exit(1)

    threading.Thread(target=wait, name="kernel-parent-watch", daemon=True).start()


def become_kernel(request: dict, out_fd: int, err_fd: int, close: list) -> None:
    """In the forked child: become the requested ipykernel; never returns."""
    code = 1
    try:
        for item in close:
            item.close()
        os.setsid()
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)  # replaces the zygote's lifeline pipe
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        for fd in (devnull, out_fd, err_fd):
            os.close(fd)
        os.chdir(request.get("cwd") or os.getcwd())
        os.environ.clear()
        os.environ.update(request["env"])
        if "JPY_PARENT_PID" in request["env"]:
            _watch_parent(int(request["env"]["JPY_PARENT_PID"]))
        argv = request["argv"]
        args = argv[argv.index(LAUNCHER) + 1 :]
        launcher = importlib.util.find_spec(LAUNCHER)
        sys.argv = [launcher.origin if launcher else LAUNCHER, *args]
        from ipykernel import kernelapp

        # ipykernel reads these two defaults from the environment when it is imported, which
        # here was before this kernel's environment existed.
        kernelapp.IPKernelApp.launch_instance(
            argv=args,
            parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0),
            interrupt=int(os.environ.get("JPY_INTERRUPT_EVENT") or 0),
        )
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def preload(modules: list[str]) -> None:
    """Import each module, and call each ``module:function`` (a warm-up that fills the module's
    memos); one that fails is left for the notebook to import or compute (and report)."""
    for name in modules:
        with contextlib.suppress(BaseException):  # a notebook importing it shows the error
            module_name, _, function = name.partition(":")
            module = importlib.import_module(module_name)
            if function:
                getattr(module, function)()


MORE = "--more"
"""In place of the first module: more modules follow on stdin, as one JSON list on one line
(the runner starts importing the kernel's modules while it works out the notebooks')."""


def serve(address: str, modules: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner stops this process itself
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped by the system
    # As ipykernel_launcher: the working directory is not on the path while modules load.
    if sys.path and (sys.path[0] in ("", os.getcwd())):
        del sys.path[0]
    start_env = dict(os.environ)
    start_argv = sys.orig_argv[: sys.orig_argv.index("-m")]
    more = modules[:1] == [MORE]
    preload(modules[1:] if more else modules)
    if more:
        line = sys.stdin.readline()
        if not line:  # the runner stopped before naming them: no kernel will be asked for
            return
        preload(json.loads(line))
    # What is loaded now lives as long as every kernel: frozen, a kernel's garbage collections
    # skip it instead of traversing it (and copying every page they touch from this process).
    gc.collect()
    gc.freeze()
    unsafe = foreign_threads()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address + ".tmp")
    listener.listen(8)
    os.rename(address + ".tmp", address)  # the socket appears only once modules are loaded
    lifeline = sys.stdin  # the runner holds the other end: end of file means stop
    while True:
        readable, _, _ = select.select([listener, lifeline], [], [])
        if lifeline in readable and not os.read(lifeline.fileno(), 4096):
            break
        if listener not in readable:
            continue
        conn, _ = listener.accept()
        with conn:
            message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 2)
            request = json.loads(message.decode())
            reason = refusal(request, start_env, start_argv) or (
                f"threads {unsafe} make forking unsafe" if unsafe else ""
            )
            if reason or len(fds) != 2:
                for fd in fds:
                    os.close(fd)
                conn.sendall(json.dumps({"refused": reason or "no output files"}).encode())
                continue
            pid = os.fork()
            if pid == 0:
                become_kernel(request, fds[0], fds[1], [conn, listener])
            for fd in fds:
                os.close(fd)
            conn.sendall(json.dumps({"pid": pid}).encode())
    listener.close()
    with contextlib.suppress(OSError):
        os.unlink(address)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
    # Nothing is left to flush or tidy: skip tearing down every module it imported (about a
    # second the runner would wait for at the end of a run).
    os._exit(0)
