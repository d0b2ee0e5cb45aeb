"""Kernels forked from the run's zygote (:mod:`analysis.runner.zygote`), with a fallback.

:class:`Zygote` starts and stops the zygote process. In a worker, :class:`ForkingKernelManager`
(given to papermill as nbclient's ``kernel_manager_class``) asks the zygote for each kernel
through :class:`ForkingProvisioner`; when there is no zygote, it is not ready yet, or it refuses
the request, the kernel is started as jupyter_client always starts it. The forked kernel is not
the worker's child, so it is watched and signalled through a pidfd (:class:`ForkedKernel`).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client import AsyncKernelManager
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.provisioning import LocalProvisioner
from traitlets import DottedObjectName, Type

from analysis import paths
from analysis.runner.zygote import MORE, interpreter_command

_address: str | None = None  # this worker's zygote socket, set by use_zygote
WARMING_LIMIT = 60.0  # seconds the runner holds a core back for the zygote's imports, at most


class ForkedKernel:
    """The slice of :class:`subprocess.Popen` jupyter_client uses, for a kernel that is not
    this process's child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # already gone
            self._pidfd, self.returncode = None, 1

    def poll(self) -> int | None:
        exited = self._pidfd is not None and select.select([self._pidfd], [], [], 0)[0]
        if self.returncode is None and exited:
            self._finish()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and self._pidfd is not None:
            if not select.select([self._pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            self._finish()
        return self.returncode

    def _finish(self) -> None:
        os.close(self._pidfd)
        self._pidfd, self.returncode = None, 0  # the zygote reaps it; its code is not known

    def send_signal(self, signum: int) -> None:
        if self._pidfd is not None:
            signal.pidfd_send_signal(self._pidfd, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def fork_kernel(
    address: str, argv: list[str], env: dict[str, str], cwd: str
) -> ForkedKernel | None:
    """Ask the zygote for a kernel; None when it is not ready or refuses."""
    if not os.path.exists(address):
        return None
    request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode()
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(address)
            socket.send_fds(conn, [request], [1, 2])  # the kernel writes where this worker does
            conn.shutdown(socket.SHUT_WR)
            reply = json.loads(conn.recv(1 << 16).decode() or "{}")
    except (OSError, ValueError):  # gone or garbled: the kernel starts the usual way
        return None
    return ForkedKernel(reply["pid"]) if "pid" in reply else None  # else {"refused": why}


class ForkingProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching through the zygote when it can."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        process = None
        if _address is not None:
            env = dict(kwargs.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
            process = fork_kernel(_address, list(cmd), env, str(kwargs.get("cwd") or os.getcwd()))
        if process is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = process
        self.pid = self.pgid = process.pid  # the kernel leads its own session
        self.cwd = kwargs.get("cwd", Path.cwd())
        return self.connection_info

    async def kill(self, restart: bool = False) -> None:
        await super().kill(restart=restart)
        if isinstance(self.process, ForkedKernel):
            # Gone within milliseconds of SIGKILL: waiting here lets jupyter_client's first
            # check find it ended, rather than its next one 0.1 s later.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=1)


class ReadyKernelClient(AsyncKernelClient):
    """jupyter_client's client, ready as soon as the kernel has answered on both channels.

    jupyter_client sends ``kernel_info`` until it is answered, then reads IOPub until it has
    been silent for 0.2 s: 0.2 s of every kernel start spent idle. Here the wait ends at the
    kernel's idle status for one of the ``kernel_info`` requests, which shows that IOPub is
    connected; when IOPub stays quiet (its first messages were published before this client
    had subscribed), it asks again. Later status messages are harmless: nbclient reads only
    the messages of the request it is waiting for.
    """

    QUIET = 0.05  # seconds without an IOPub message before asking again

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        asked: set[str] = set()
        answered = False
        while True:
            asked.add(self.kernel_info())
            if not answered:
                with contextlib.suppress(Empty):
                    reply = await self.shell_channel.get_msg(timeout=1)
                    if reply["msg_type"] == "kernel_info_reply":
                        self._handle_kernel_info_reply(reply)
                        answered = True
            if answered and await self._idle_after(asked):
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _idle_after(self, requests: set[str]) -> bool:
        """Read IOPub up to an idle status of one of ``requests``; False if it goes quiet."""
        while True:
            try:
                message = await self.iopub_channel.get_msg(timeout=self.QUIET)
            except Empty:
                return False
            if (
                message["msg_type"] == "status"
                and message["content"].get("execution_state") == "idle"
                and message["parent_header"].get("msg_id") in requests
            ):
                return True


class ForkingKernelManager(AsyncKernelManager):
    client_class = DottedObjectName("analysis.runner.kernels.ReadyKernelClient")
    client_factory = Type(ReadyKernelClient, klass=AsyncKernelClient)

    async def _async_pre_start_kernel(self, **kw: Any):
        if self.provisioner is None:
            self.provisioner = ForkingProvisioner(
                kernel_id=self.kernel_id or kw.get("kernel_id", ""),
                kernel_spec=self.kernel_spec,
                parent=self,
            )
        return await super()._async_pre_start_kernel(**kw)


def use_zygote(address: str | None) -> None:
    """In a worker: ask the zygote at ``address`` for kernels (None: start them as usual)."""
    global _address
    _address = address


class Zygote:
    """The run's zygote process: warm with ``modules``, for kernels of ``kernel_argv``."""

    def __init__(
        self, kernel_argv: list[str], modules: list[str], env: dict[str, str], more: bool = False
    ):
        """``more``: after ``modules`` the zygote waits for more, given by :meth:`also_load`."""
        self.folder = tempfile.mkdtemp(prefix="atlas-zygote-")
        self.address = os.path.join(self.folder, "socket")
        interpreter = interpreter_command(kernel_argv)
        if interpreter is None:
            raise ValueError(f"not an ipykernel command: {kernel_argv}")
        self.process = subprocess.Popen(
            [
                *interpreter,
                "-m",
                "analysis.runner.zygote",
                self.address,
                *([MORE] if more else []),
                *modules,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=paths.ROOT,
            start_new_session=True,  # terminal Ctrl-C goes to the runner, which stops this
        )
        self.started = time.monotonic()

    def also_load(self, modules: list[str]) -> None:
        """The modules (and ``module:function`` warm-ups) to load after the first ones."""
        self.process.stdin.write(json.dumps(modules).encode() + b"\n")
        self.process.stdin.flush()

    def warming(self) -> bool:
        """Still importing: not serving yet, not ended, and started under a minute ago."""
        return (
            self.process.poll() is None
            and not os.path.exists(self.address)
            and time.monotonic() - self.started < WARMING_LIMIT
        )

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # end of its lifeline: it stops serving
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for name in ("socket", "socket.tmp"):
            Path(self.folder, name).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # an end-of-run tidy-up must not mask the run's error
            os.rmdir(self.folder)


def kernel_argv(kernel_name: str) -> list[str]:
    from jupyter_client.kernelspec import KernelSpecManager

    return list(KernelSpecManager().get_kernel_spec(kernel_name).argv)
