"""Raw responses: ``client.posts.with_raw_response.get(id)`` returns a :class:`RawResponse`
(status, headers, request id and the parsed value) instead of the value alone. Works for
every operation that makes one call (not for the iterating ones, ``list``, ``watch``), on
both clients, and for ``client.with_raw_response.request(…)``. A call that makes several
requests (a create whose preflight reads capabilities, an upload) describes its last one."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Generic, Iterator, List, Mapping, Optional, Tuple, TypeVar

__all__ = ["RawResponse", "Headers", "RawResponses"]

T = TypeVar("T")


class Headers(Mapping[str, str]):
    """A response's headers; look-ups ignore case (``headers["x-request-id"]``). A header sent
    more than once reads as its values joined by ``", "``; :meth:`get_all` lists them."""

    def __init__(self, pairs: List[Tuple[str, str]]) -> None:
        self._pairs = [(name.lower(), value) for name, value in pairs]
        joined: Dict[str, str] = {}
        for name, value in self._pairs:
            joined[name] = f"{joined[name]}, {value}" if name in joined else value
        self._joined = joined

    def __getitem__(self, name: str) -> str:
        return self._joined[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._joined

    def __iter__(self) -> Iterator[str]:
        return iter(self._joined)

    def __len__(self) -> int:
        return len(self._joined)

    def get_all(self, name: str) -> List[str]:
        """Every value of header ``name``, in the order received."""
        return [value for key, value in self._pairs if key == name.lower()]

    def __repr__(self) -> str:
        return f"Headers({self._joined!r})"


class RawResponse(Generic[T]):
    """An HTTP response and the value the SDK made of it."""

    status_code: int
    """The HTTP status (2xx; errors raise as usual)."""
    headers: Headers
    """Every response header (case-insensitive), e.g. ``X-RateLimit-Remaining``."""
    request_id: Optional[str]
    """The server's ``X-Request-Id``."""
    replayed: bool
    """The server replayed the first response to this idempotency key."""
    idempotency_key: Optional[str]
    """The ``Idempotency-Key`` sent, if any."""
    client_request_id: str
    """The SDK's id of the call (``X-Client-Request-Id``)."""

    def __init__(self, meta: Mapping[str, Any], value: T) -> None:
        self.status_code = int(meta["status"])
        self.headers = Headers([(str(n), str(v)) for n, v in meta["headers"]])
        self.request_id = meta.get("requestId")
        self.replayed = bool(meta.get("replayed"))
        self.idempotency_key = meta.get("idempotencyKey")
        self.client_request_id = str(meta.get("clientRequestId", ""))
        self._value = value

    def parse(self) -> T:
        """The value the operation returns (a ``Post``, a dict for ``request``…)."""
        return self._value

    @property
    def data(self) -> T:
        """Same as :meth:`parse`."""
        return self._value

    def __repr__(self) -> str:
        return f"RawResponse(status_code={self.status_code}, request_id={self.request_id!r})"


def _copy_with_raw_core(target: Any) -> Any:
    """``target`` (a resource or a client) over a native client whose calls leave their last
    response behind: one copy per call, so concurrent calls never mix responses."""
    copy = object.__new__(type(target))
    copy.__dict__.update(target.__dict__)
    copy._core = target._core.raw()
    attach = getattr(copy, "_attach", None)
    if attach is not None:
        attach()
    return copy


def _wrap(core: Any, value: Any) -> RawResponse[Any]:
    if inspect.isgenerator(value) or inspect.isasyncgen(value) or isinstance(value, Iterator):
        raise TypeError(
            "with_raw_response works with operations that return one value; this one "
            "iterates (list, watch)"
        )
    meta = core.last_response()
    if meta is None:
        raise TypeError("this operation made no HTTP request to describe")
    return RawResponse(meta, value)


class RawResponses:
    """``x.with_raw_response``: each operation of ``x`` returning a :class:`RawResponse`
    (awaitable on ``AsyncAether``)."""

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or not callable(getattr(self._target, name, None)):
            raise AttributeError(name)
        if inspect.iscoroutinefunction(getattr(self._target, name)):

            async def acall(*args: Any, **kwargs: Any) -> RawResponse[Any]:
                copy = _copy_with_raw_core(self._target)
                value = await getattr(copy, name)(*args, **kwargs)
                return _wrap(copy._core, value)

            return acall

        def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            copy = _copy_with_raw_core(self._target)
            value = getattr(copy, name)(*args, **kwargs)
            if inspect.iscoroutine(value):
                value.close()
                raise TypeError(f"{name} is a coroutine here; await it")
            return _wrap(copy._core, value)

        return call
