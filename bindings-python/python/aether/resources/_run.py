"""Each operation defined once, in both flavours: blocking for ``Aether``, awaited on asyncio
for ``AsyncAether``.

A resource's base class defines every operation as a method that checks its arguments and
returns the native call not yet started, with how its result becomes the public type (a
:class:`Pending`), or a native pager and the model of its items (a :class:`Pages`). The two
public classes then list the operations they offer::

    class Posts(_Posts):
        get = blocking(_Posts.get)

    class AsyncPosts(_Posts):
        get = awaiting(_Posts.get)

The helpers keep the operation's parameters (names, kinds, defaults and types, through a
``ParamSpec``) and change only the return type: ``T``, a coroutine of ``T``, or an
(async) iterator of the model. The blocking flavour keeps the operation's docstring; the
async one points to it (see :class:`Resource`)."""

from __future__ import annotations

import inspect
import re
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Callable,
    Coroutine,
    Dict,
    FrozenSet,
    Generic,
    Iterator,
    Optional,
    Tuple,
    Type,
    TypeVar,
)

from .._aether import Call, Client, Pager, unknown_keyword
from .._models import _Model
from .._params import out_of_range
from .._raw import RawResponses
from .._trace import current_traceparent

if TYPE_CHECKING:
    # typing_extensions is only needed by the type checker (which ships it): at runtime every
    # annotation here is a string, so Python 3.9 runs this without the package.
    from typing_extensions import Concatenate, ParamSpec

    P = ParamSpec("P")

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M", bound=_Model)
S = TypeVar("S", bound="Resource")


class Pending(Generic[T]):
    """An operation's native call, not yet started, and what turns its JSON into ``T``."""

    __slots__ = ("call", "result")

    def __init__(self, call: Call, result: Callable[[Any], T]) -> None:
        self.call = call
        self.result = result


class Pages(Generic[M]):
    """A native pager, not yet read, and the model of its items."""

    __slots__ = ("pager", "model")

    def __init__(self, pager: Pager, model: Type[M]) -> None:
        self.pager = pager
        self.model = model


def nothing(_: Any) -> None:
    """The result of an operation that returns nothing (a delete)."""
    return None


class Resource:
    """The base of every resource class: holds the native client, and names the operations a
    flavour class lists after that class (``AsyncPosts.get``'s docstring is "See
    :meth:`Posts.get`." and what the async flavour adds)."""

    def __init__(self, core: Client) -> None:
        self._core = core

    @property
    def with_raw_response(self) -> RawResponses:
        """This resource's operations returning a :class:`aether.RawResponse` (status,
        headers, request id, and ``.parse()`` for the value): ``posts.with_raw_response.get(id)``."""
        return RawResponses(self)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, method in list(vars(cls).items()):
            note: Optional[str] = getattr(method, "_async_note", None)
            if getattr(method, "_operation", None) is None:
                continue
            method.__name__ = name
            method.__qualname__ = f"{cls.__qualname__}.{name}"
            if note is not None:
                blocking_class = cls.__qualname__[len("Async") :]
                method.__doc__ = f"See :meth:`{blocking_class}.{name}`{note}."


F = TypeVar("F", bound=Callable[..., Any])


def _traced(resource: S) -> S:
    """``resource``, or a copy whose calls carry the current OpenTelemetry span as their
    ``traceparent`` when there is one and ``with_options(traceparent=…)`` gave none."""
    traceparent = current_traceparent()
    if traceparent is None:
        return resource
    core = resource._core.with_trace(traceparent)
    if core is None:
        return resource
    copy = object.__new__(type(resource))
    copy.__dict__.update(resource.__dict__)
    copy._core = core
    return copy


_KEYWORDS: Dict[Callable[..., Any], Tuple[str, FrozenSet[str]]] = {}


def _known(op: Callable[..., Any], kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """``kwargs``, once each name is one ``op`` takes. A misspelt keyword (``media_key=`` for
    ``media_keys=``) is ``InvalidArgumentError`` naming the nearest known one (the core's
    suggestion), like a misspelt key in a dict, rather than Python's bare ``TypeError``: the
    type checker refuses it already; this is for everyone else."""
    if not kwargs:
        return kwargs
    entry = _KEYWORDS.get(op)
    if entry is None:
        resource, _, name = op.__qualname__.partition(".")
        words = re.sub(r"(?<!^)(?=[A-Z])", "_", resource.lstrip("_")).lower()
        kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        names = [p.name for p in inspect.signature(op).parameters.values() if p.kind in kinds]
        entry = _KEYWORDS[op] = (f"{words}.{name.lstrip('_')}", frozenset(names[1:]))
    what, known = entry
    for name in kwargs:
        if name not in known:
            raise unknown_keyword(what, name, sorted(known))
    return kwargs


def _named(method: F, op: Callable[..., Any], returns: str, note: Optional[str] = None) -> F:
    """Gives ``method`` the operation's docstring and, for ``help()`` and ``inspect``, its
    signature with the flavour's return annotation: ``returns`` with ``{}`` standing for
    what is inside ``Pending[…]`` or ``Pages[…]`` (annotations are strings here)."""
    named: Any = method
    named.__doc__ = op.__doc__
    named.__module__ = op.__module__
    signature = inspect.signature(op)
    inner = str(signature.return_annotation).partition("[")[2][:-1]
    named.__signature__ = signature.replace(return_annotation=returns.format(inner))
    named._operation = op
    named._async_note = note
    return method


def blocking(op: Callable[Concatenate[S, P], Pending[T]]) -> Callable[Concatenate[S, P], T]:
    """The operation run to completion on the calling thread: the GIL is released while the
    SDK's runtime works, and Ctrl-C cancels it."""

    def method(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        pending = _calling(op, self, args, kwargs)
        return pending.result(pending.call.wait())

    return _named(method, op, "{}")


def _calling(op: Callable[..., R], self: Any, args: Any, kwargs: Dict[str, Any]) -> R:
    """``op(self, *args, **kwargs)``; an int the native layer cannot hold is a typed error."""
    try:
        return op(_traced(self), *args, **_known(op, kwargs))
    except OverflowError as error:
        raise out_of_range(error, kwargs) from error


def awaiting(
    op: Callable[Concatenate[S, P], Pending[T]], note: str = ""
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, T]]:
    """The operation as a coroutine: it runs on the SDK's runtime and is awaited on the
    running loop; cancelling the awaiting task cancels it. ``note`` ends the docstring."""

    async def method(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        pending = _calling(op, self, args, kwargs)
        # Imported here: asyncio is loaded in any program that awaits this, and importing it
        # up front would double the time of `import aether` for every blocking user.
        import asyncio

        return pending.result(await pending.call.start(asyncio.get_running_loop()))

    return _named(method, op, "{}", note)


def iterating(op: Callable[Concatenate[S, P], Pages[M]]) -> Callable[Concatenate[S, P], Iterator[M]]:
    """The operation's items, each page fetched (blocking) as the iteration reaches it."""

    def method(self: S, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[M]:
        pages = _calling(op, self, args, kwargs)
        return _iterate(pages.pager, pages.model)

    return _named(method, op, "Iterator[{}]")


def aiterating(
    op: Callable[Concatenate[S, P], Pages[M]], note: str = ""
) -> Callable[Concatenate[S, P], AsyncIterator[M]]:
    """The operation's items for ``async for``, each page awaited as the iteration reaches
    it. ``note`` ends the docstring."""

    def method(self: S, /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[M]:
        pages = _calling(op, self, args, kwargs)
        return _aiterate(pages.pager, pages.model)

    return _named(method, op, "AsyncIterator[{}]", note)


def _iterate(pager: Pager, model: Type[M]) -> Iterator[M]:
    while True:
        item = pager.next().wait()
        if item is None:
            return
        yield model._from_wire(item)


async def _aiterate(pager: Pager, model: Type[M]) -> AsyncIterator[M]:
    import asyncio

    loop = asyncio.get_running_loop()
    while True:
        item = await pager.next().start(loop)
        if item is None:
            return
        yield model._from_wire(item)
