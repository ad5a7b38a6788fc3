"""Name and config lookup for the families of Keras-style objects that layers take as options
(regularizers, constraints): ``get`` from a name, a ``{"class_name", "config"}`` dict, an
instance or a callable, and ``serialize`` back to the dict."""

from __future__ import annotations

from ..errors import ArgumentTypeError, ArgumentValueError


class Catalog:
    """The built-in classes of one family (``kind``: "regularizer", ...), found by class name
    or by the snake-case ``names``."""

    def __init__(self, kind: str, module: str, base: type, names: dict):
        self.kind = kind
        self.module = module
        self.base = base
        self.names = dict(names)
        self.classes = {cls.__name__: cls for cls in names.values()}

    def get(self, identifier):
        if identifier is None or isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, str):
            cls = self.names.get(identifier.lower()) or self.classes.get(identifier)
            if cls is None:
                raise ArgumentValueError(
                    f"unknown {self.kind} {identifier!r}; choose from {sorted(self.names)} or pass a callable"
                )
            return cls()
        if isinstance(identifier, dict) and "class_name" in identifier:
            cls = self.classes.get(identifier["class_name"])
            if cls is None:
                raise ArgumentValueError(f"unknown {self.kind} class {identifier['class_name']!r}")
            return cls.from_config(dict(identifier.get("config", {})))
        if callable(identifier):
            return identifier
        raise ArgumentTypeError(f"cannot interpret {identifier!r} as a {self.kind}")

    def serialize(self, obj):
        if obj is None:
            return None
        if type(obj).__name__ not in self.classes:
            raise ArgumentTypeError(
                f"cannot serialize {obj!r}: only {self.module} classes are saved with a model"
            )
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
