"""The runner's kernel client: ready once the kernel has answered on shell and on IOPub."""

from __future__ import annotations

import asyncio
from queue import Empty

import pytest

from analysis.runner.kernels import ForkingKernelManager, ReadyKernelClient

QUIET = None  # in a script: IOPub or shell has nothing within the client's timeout


def status(state: str, parent: str) -> dict:
    return {"msg_type": "status", "content": {"execution_state": state},
            "parent_header": {"msg_id": parent}}  # fmt: skip


def reply(parent: str) -> dict:
    return {"msg_type": "kernel_info_reply", "content": {"protocol_version": "5.3"},
            "parent_header": {"msg_id": parent}}  # fmt: skip


class Channel:
    def __init__(self, script: list):
        self.script = list(script)

    async def get_msg(self, timeout=None):
        item = self.script.pop(0) if self.script else QUIET
        if item is QUIET:
            raise Empty
        return item


class Scripted(ReadyKernelClient):
    """Channels that play a script; ``kernel_info`` requests are numbered k1, k2, ..."""

    shell_channel = None
    iopub_channel = None

    def setup(self, shell: list, iopub: list, alive: bool = True) -> Scripted:
        self.shell_channel, self.iopub_channel = Channel(shell), Channel(iopub)
        self.asked: list[str] = []
        self.alive = alive
        return self

    def kernel_info(self) -> str:
        self.asked.append(f"k{len(self.asked) + 1}")
        return self.asked[-1]

    async def _async_is_alive(self) -> bool:
        return self.alive


def wait(client: Scripted, timeout: float | None = 5) -> None:
    asyncio.run(client.wait_for_ready(timeout=timeout))


def test_ready_at_the_idle_status_of_the_answered_request_without_waiting_for_silence():
    after = {"msg_type": "stream", "content": {}, "parent_header": {"msg_id": "k1"}}
    client = Scripted().setup(
        shell=[reply("k1")], iopub=[status("busy", "k1"), status("idle", "k1"), after]
    )
    wait(client)
    assert client.asked == ["k1"]
    assert client.iopub_channel.script == [after]  # read up to the idle status, no further


def test_asks_again_while_iopub_is_not_yet_connected():
    # The reply came, but the status messages were published before IOPub had subscribed.
    client = Scripted().setup(shell=[reply("k1")], iopub=[QUIET, status("idle", "k2")])
    wait(client)
    assert client.asked == ["k1", "k2"]


def test_an_idle_status_of_another_message_does_not_count():
    client = Scripted().setup(
        shell=[reply("k1")], iopub=[status("idle", "execute-0"), QUIET, status("idle", "k1")]
    )
    wait(client)
    assert client.asked == ["k1", "k2"]


def test_a_dead_kernel_and_a_timeout_are_errors():
    with pytest.raises(RuntimeError, match="died"):
        wait(Scripted().setup(shell=[], iopub=[], alive=False))
    with pytest.raises(RuntimeError, match="didn't respond"):
        wait(Scripted().setup(shell=[reply("k1")], iopub=[]), timeout=0)


def test_the_runner_kernel_manager_hands_out_this_client():
    assert type(ForkingKernelManager(kernel_name="python3").client()) is ReadyKernelClient
