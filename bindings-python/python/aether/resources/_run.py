"""Running the extension's calls: blocking for ``Aether``, awaited on asyncio for
``AsyncAether``, and pagers as (async) iterators of typed objects."""

from __future__ import annotations

from typing import Any, AsyncIterator, Iterator, Type, TypeVar

from .._aether import Call, Pager
from .._models import _Model

M = TypeVar("M", bound=_Model)


def wait(call: Call) -> Any:
    """Runs the call on the SDK's runtime with the GIL released; Ctrl-C cancels it."""
    return call.wait()


async def run(call: Call) -> Any:
    """Runs the call on the SDK's runtime and awaits it on the running loop; cancelling the
    awaiting task cancels the call."""
    # Imported here: asyncio is loaded in any program that awaits this, and importing it
    # up front would double the time of `import aether` for every blocking user.
    import asyncio

    return await call.start(asyncio.get_running_loop())


def iterate(pager: Pager, model: Type[M]) -> Iterator[M]:
    while True:
        item = pager.next().wait()
        if item is None:
            return
        yield model._from_wire(item)


async def aiterate(pager: Pager, model: Type[M]) -> AsyncIterator[M]:
    import asyncio

    loop = asyncio.get_running_loop()
    while True:
        item = await pager.next().start(loop)
        if item is None:
            return
        yield model._from_wire(item)
