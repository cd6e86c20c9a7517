"""The wire between a trusted judge and the untrusted code it tests.

Both ends speak length-prefixed JSON over a pair of pipes. Values cross as plain data only
(None, bool, int, float, str, bytes, list, tuple, set, frozenset, dict, range); anything else
crosses as a reference the other end can only call through this wire. The judge decodes what
it receives into fresh builtin objects, so nothing the untrusted side sends can carry behaviour
(an `__eq__` that is always true, a patched method) into the judge's comparisons.
"""

import base64
import builtins
import json
import math
import os
import pathlib
import struct
import sys

MAX_MESSAGE = 64 * 1024 * 1024
MAX_DEPTH = 200


class WireError(Exception):
    """The other end broke the protocol (a malformed or oversized message)."""


class PeerLost(BaseException):
    """The other end exited or closed the wire. A BaseException, so test code cannot swallow it."""


class RemoteError(Exception):
    """An exception raised on the other end whose type is not a builtin exception."""


def _exception_class(name):
    cls = getattr(builtins, name, None) if isinstance(name, str) else None
    if isinstance(cls, type) and issubclass(cls, Exception):
        return cls
    return RemoteError


def _stdlib_name(value):
    """[module, qualified name] of a standard-library function or class, which both ends import alike."""
    if not callable(value):
        return None
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if type(module) is not str or type(qualname) is not str or "<" in qualname:
        return None
    top = module.partition(".")[0]
    if top not in getattr(sys, "stdlib_module_names", ()) or top.startswith("_") and top != "_collections_abc":
        return None
    return [module, qualname]


class Peer:
    """One end of the wire: requests to the other end, and answers to its requests meanwhile."""

    def __init__(self, rfd, wfd, lend=None, trusted=False):
        self.rfd = rfd
        self.wfd = wfd
        self.refs = {}
        self.next_ref = 1
        self.next_id = 1
        self.lend = lend
        self.trusted = trusted
        self.lost = False

    # framing
    def send(self, message):
        data = json.dumps(message, separators=(",", ":"), allow_nan=False).encode("utf-8")
        frame = struct.pack(">Q", len(data)) + data
        try:
            view = memoryview(frame)
            while view:
                n = os.write(self.wfd, view)
                view = view[n:]
        except OSError:
            self.lost = True
            raise PeerLost("the other end closed the wire")

    def _read_exact(self, n):
        chunks = []
        while n > 0:
            try:
                chunk = os.read(self.rfd, min(n, 1 << 20))
            except OSError:
                chunk = b""
            if not chunk:
                self.lost = True
                raise PeerLost("the other end closed the wire")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def receive(self):
        (size,) = struct.unpack(">Q", self._read_exact(8))
        if size > MAX_MESSAGE:
            raise WireError("message of %d bytes is over the limit" % size)
        try:
            message = json.loads(self._read_exact(size).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as cause:
            raise WireError("malformed message") from cause
        if type(message) is not dict:
            raise WireError("a message must be an object")
        return message

    # values
    def keep(self, value):
        ref = self.next_ref
        self.next_ref += 1
        self.refs[ref] = value
        return {"$ref": ref}

    def encode(self, value, depth=0):
        if depth > MAX_DEPTH:
            raise ValueError("value nested too deeply to send")
        t = type(value)
        if value is None or t is bool or t is str:
            return value
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int):
            value = int(value)
            return value if -(2**53) < value < 2**53 else {"$int": str(value)}
        if isinstance(value, float):
            value = float(value)
            return value if math.isfinite(value) else {"$float": repr(value)}
        if isinstance(value, str):
            return str(value)
        if isinstance(value, (bytes, bytearray)):
            return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
        if isinstance(value, complex):
            return {"$complex": [self.encode(value.real), self.encode(value.imag)]}
        if isinstance(value, list):
            return [self.encode(v, depth + 1) for v in value]
        if isinstance(value, tuple):
            return {"$tuple": [self.encode(v, depth + 1) for v in value]}
        if isinstance(value, frozenset):
            return {"$frozenset": [self.encode(v, depth + 1) for v in value]}
        if isinstance(value, set):
            return {"$set": [self.encode(v, depth + 1) for v in value]}
        if isinstance(value, dict):
            return {"$dict": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()]}
        if isinstance(value, pathlib.PurePath):
            return {"$path": str(value)}
        if isinstance(value, range):
            return {"$range": [value.start, value.stop, value.step]}
        if isinstance(value, RemoteRef) and value._peer is self:
            return {"$their": value._ref}
        if type(value).__name__ == "module":
            return {"$module": value.__name__}
        shared = _stdlib_name(value)
        if shared is not None:
            return {"$import": shared}
        if self.lend is not None:
            return self.lend(self, value)
        return self.keep(value)

    def decode(self, data, depth=0):
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        t = type(data)
        if data is None or t is bool or t is str:
            return data
        if t is int:
            return int(data)
        if t is float:
            return float(data)
        if t is list:
            return [self.decode(v, depth + 1) for v in data]
        if t is not dict or len(data) != 1:
            raise WireError("unknown value")
        ((tag, body),) = data.items()
        if tag == "$tuple":
            return tuple(self.decode(v, depth + 1) for v in self._list(body))
        if tag == "$set":
            return set(self.decode(v, depth + 1) for v in self._list(body))
        if tag == "$frozenset":
            return frozenset(self.decode(v, depth + 1) for v in self._list(body))
        if tag == "$dict":
            out = {}
            for pair in self._list(body):
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("a dict entry must be a pair")
                out[self.decode(pair[0], depth + 1)] = self.decode(pair[1], depth + 1)
            return out
        if tag == "$bytes" and type(body) is str:
            return base64.b64decode(body.encode("ascii"), validate=True)
        if tag == "$int" and type(body) is str and len(body) < 5000:
            return int(body)
        if tag == "$float" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "$complex":
            parts = self._list(body)
            if len(parts) != 2:
                raise WireError("a complex number has two parts")
            return complex(float(self.decode(parts[0])), float(self.decode(parts[1])))
        if tag == "$path" and type(body) is str:
            return pathlib.Path(body)
        if tag == "$range":
            parts = self._list(body)
            if len(parts) != 3 or any(type(p) is not int for p in parts):
                raise WireError("a range has three integers")
            return range(*parts)
        if tag == "$module" and type(body) is str:
            return self.import_module(body)
        if tag == "$import" and type(body) is list and len(body) == 2 and all(type(b) is str for b in body):
            return self.resolve_import(body[0], body[1])
        if tag == "$ref" and type(body) is int:
            return RemoteRef(self, body)
        if tag == "$their" and type(body) is int and body in self.refs:
            return self.refs[body]
        raise WireError("unknown value tag")

    def import_module(self, name):
        import importlib

        return importlib.import_module(name)

    def resolve_import(self, module, qualname):
        value = self.import_module(module)
        for part in qualname.split("."):
            if part.startswith("_"):
                raise WireError("private names are not shared")
            value = getattr(value, part)
        return value

    @staticmethod
    def _list(body):
        if type(body) is not list:
            raise WireError("expected a list")
        return body

    # requests
    def request(self, op, **fields):
        if self.lost:
            raise PeerLost("the other end is gone")
        rid = self.next_id
        self.next_id += 1
        self.send(dict(op=op, id=rid, **fields))
        while True:
            message = self.receive()
            kind = message.get("op")
            if kind in ("ok", "err"):
                if message.get("id") != rid:
                    raise WireError("an answer to a request never made")
                if kind == "ok":
                    return self.decode(message.get("value"))
                raise _exception_class(message.get("type"))(str(message.get("message", ""))[:2000])
            self.serve_one(message)

    def serve_one(self, message):
        rid = message.get("id")
        try:
            value = self.perform(message)
            reply = {"op": "ok", "id": rid, "value": self.encode(value)}
        except PeerLost:
            raise
        except BaseException as error:  # noqa: BLE001 - every failure goes back as data
            if isinstance(error, (KeyboardInterrupt,)):
                raise
            reply = {"op": "err", "id": rid, "type": type(error).__name__, "message": str(error)[:2000]}
        self.send(reply)

    def perform(self, message):
        op = message.get("op")
        if op == "ping":
            return "pong"
        ref = message.get("ref")
        if type(ref) is not int or ref not in self.refs:
            raise WireError("unknown reference")
        target = self.refs[ref]
        if op == "call":
            args = [self.decode(a) for a in self._list(message.get("args", []))]
            kwargs = {}
            for pair in self._list(message.get("kwargs", [])):
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise WireError("a keyword argument is a name and a value")
                kwargs[pair[0]] = self.decode(pair[1])
            return target(*args, **kwargs)
        if op == "getattr":
            name = message.get("name")
            if type(name) is not str or (self.trusted and name.startswith("_")):
                raise AttributeError(name)
            return getattr(target, name)
        if op == "iter":
            return list(target)
        if op == "len":
            return len(target)
        if op == "repr":
            return repr(target)
        if op == "str":
            return str(target)
        if op == "bool":
            return bool(target)
        if op == "getitem":
            return target[self.decode(message.get("key"))]
        raise WireError("unknown request")


class RemoteRef:
    """A reference to an object on the other end: every use is a request over the wire."""

    __slots__ = ("_peer", "_ref")

    def __init__(self, peer, ref):
        object.__setattr__(self, "_peer", peer)
        object.__setattr__(self, "_ref", ref)

    def __call__(self, *args, **kwargs):
        peer = self._peer
        return peer.request(
            "call",
            ref=self._ref,
            args=[peer.encode(a) for a in args],
            kwargs=[[k, peer.encode(v)] for k, v in kwargs.items()],
        )

    def __getattr__(self, name):
        return self._peer.request("getattr", ref=self._ref, name=name)

    def __iter__(self):
        return iter(self._peer.request("iter", ref=self._ref))

    def __len__(self):
        n = self._peer.request("len", ref=self._ref)
        if type(n) is not int:
            raise TypeError("len() of a remote object must be an int")
        return n

    def __getitem__(self, key):
        return self._peer.request("getitem", ref=self._ref, key=self._peer.encode(key))

    def __bool__(self):
        b = self._peer.request("bool", ref=self._ref)
        if type(b) is not bool:
            raise TypeError("bool() of a remote object must be a bool")
        return b

    def __repr__(self):
        r = self._peer.request("repr", ref=self._ref)
        return r if type(r) is str else "<remote object>"

    def __str__(self):
        s = self._peer.request("str", ref=self._ref)
        return s if type(s) is str else "<remote object>"

    def __eq__(self, other):
        return type(other) is RemoteRef and other._peer is self._peer and other._ref == self._ref

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(("remote", self._ref))
