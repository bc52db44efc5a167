"""One spec per promotion kind: everything the app knows about a kind, in one place.

A ``KindSpec`` holds a kind's key, stacking level, labels (zh/en), its typed parameters (a
small frozen dataclass whose fields carry ``param(...)`` metadata: type, labels, help), which
parameters it needs, and its benefit: what it takes off (``line_take`` for item kinds,
``take`` for order kinds) and the most it could take (``upper_bound``, used to prune the
exact search). The engine, the services' validation, the selectors' model -> engine
conversion, the editor form and the model's choices all read the registry; adding a kind
is ``register(MySpec())`` and nothing else (docs/promotions.md shows how).

The built-in kinds are in ``engine/kinds_builtin.py``. Pure Python: no Django here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from shopops.promotions.engine.types import KINDS, Level, Promotion

if TYPE_CHECKING:
    from shopops.promotions.engine.benefits import Applied
    from shopops.promotions.engine.types import Cart, Gift, Line


class ParamError(ValueError):
    """A parameter value that is not valid; the message names the parameter and the value."""


# ---------------------------------------------------------------------------- parameter types
class ParamType(StrEnum):
    MONEY = "money"  # Decimal >= 0 (yuan)
    RATE = "rate"  # Decimal in (0, 1]: a price multiplier (0.8 = 8折) or a share
    COUNT = "count"  # int >= 1
    MONEY_TIERS = "money_tiers"  # ((threshold, amount), ...) sorted by threshold
    QUANTITY_TIERS = "quantity_tiers"  # ((units, rate), ...) sorted
    SKUS = "skus"  # (sku, ...)
    TEXT = "text"  # one short string


@dataclass(frozen=True, slots=True)
class Label:
    en: str
    zh: str

    def pick(self, language: str | None) -> str:
        return self.zh if (language or "").lower().startswith("zh") else self.en


class Said(str):
    """Why an offer took what it took: the English text (the API's and the CLI's, and what ``str``
    gives) that also carries its Chinese wording in ``zh`` for pages in Chinese."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Said:
        said = super().__new__(cls, en)
        said.zh = zh
        return said

    def pick(self, language: str | None) -> str:
        return self.zh if (language or "").lower().startswith("zh") else str(self)


@dataclass(frozen=True, slots=True)
class ParamInfo:
    """What a parameter field is: stored in the dataclass field's metadata by ``param``."""

    type: ParamType
    label: Label
    help: Label | None = None


def param(type_: ParamType, label: Label, help: Label | None = None, **field_kwargs: Any) -> Any:  # noqa: A002
    """A parameter field of a kind's parameter dataclass (``default=`` makes it optional)."""
    return dataclasses.field(metadata={"param": ParamInfo(type_, label, help)}, **field_kwargs)


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def to_engine(type_: ParamType, value: Any) -> Any:
    """A stored (JSON) or Python value as the engine's typed value; no range checks."""
    if type_ in (ParamType.MONEY, ParamType.RATE):
        return _decimal(value)
    if type_ == ParamType.COUNT:
        return int(value)
    if type_ == ParamType.MONEY_TIERS:
        return tuple((_decimal(t), _decimal(a)) for t, a in value)
    if type_ == ParamType.QUANTITY_TIERS:
        return tuple((int(n), _decimal(r)) for n, r in value)
    if type_ == ParamType.SKUS:
        return tuple(str(s) for s in value)
    return str(value)


def to_stored(name: str, type_: ParamType, value: Any) -> Any:
    """The normalised JSON value of one parameter, or ParamError naming it and the value."""
    try:
        if type_ in (ParamType.MONEY, ParamType.RATE):
            d = Decimal(str(value))
            if d < 0:
                raise ParamError(f"parameters.{name}: must be >= 0, got {value!r}")
            if type_ == ParamType.RATE and not (0 < d <= 1):
                raise ParamError(f"parameters.{name}: must be in (0, 1], got {value!r}")
            return str(d)
        if type_ == ParamType.MONEY_TIERS:
            return sorted([[str(Decimal(str(t))), str(Decimal(str(a)))] for t, a in value], key=lambda x: Decimal(x[0]))
        if type_ == ParamType.QUANTITY_TIERS:
            return sorted([[int(n), str(Decimal(str(r)))] for n, r in value])
        if type_ == ParamType.COUNT:
            if int(value) < 1:
                raise ParamError(f"parameters.{name}: must be >= 1, got {value!r}")
            return int(value)
        if type_ == ParamType.SKUS:
            return [str(s) for s in value]
        return str(value)
    except ParamError:
        raise
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ParamError(f"parameters.{name}: not valid: {value!r}") from exc


@cache
def param_infos(params_type: type) -> dict[str, ParamInfo]:
    """The parameter fields of a kind's parameter dataclass, in declaration order."""
    return {f.name: f.metadata["param"] for f in dataclasses.fields(params_type) if "param" in f.metadata}


# ---------------------------------------------------------------------------- the spec
class KindSpec:
    """A promotion kind. Subclass ``ItemKind`` or ``OrderKind`` and ``register`` an instance.

    Class attributes to set: ``key``, ``level`` (order kinds), ``label``, ``params``
    (the frozen parameter dataclass), ``required`` (groups: at least one name of each);
    optionally ``is_coupon`` (applies only when the customer holds it, one per order per kind),
    ``customer_fact`` ("new" | "member" | "points": a fact of the customer it needs, which
    also decides the search index bucket) and ``priced = False`` for kinds that record
    something (a gift) instead of lowering the price.
    """

    key: ClassVar[str]
    level: ClassVar[Level]
    label: ClassVar[Label]
    params: ClassVar[type]
    required: ClassVar[tuple[tuple[str, ...], ...]] = ()
    is_coupon: ClassVar[bool] = False
    customer_fact: ClassVar[str] = ""
    priced: ClassVar[bool] = True
    order: int = 0  # registration order: the order inside a level (set by ``register``)

    # -- parameters --------------------------------------------------------------------
    @property
    def fields(self) -> dict[str, ParamInfo]:
        return param_infos(self.params)

    def parse(self, values: Mapping[str, Any]) -> Any:
        """The typed parameters from stored (validated) JSON or Python values. Names this kind
        does not use are ignored; empty values count as absent."""
        kwargs = {name: to_engine(info.type, values[name]) for name, info in self.fields.items()
                  if values.get(name) not in (None, "", [], ())}
        try:
            return self.params(**kwargs)
        except TypeError as exc:
            raise ParamError(f"{self.key}: {exc}") from exc

    def check(self, params: Any) -> str:
        """A rule between parameters that the types alone do not state: '' when fine, else the reason."""
        return ""

    # -- conditions -----------------------------------------------------------------------
    def eligible(self, promo: Promotion, cart: Cart) -> bool:
        """Kind-specific conditions beyond window, channel, audience and coupon held."""
        return True

    def covered(self, promo: Promotion, cart: Cart) -> tuple[int, ...] | None:
        """The lines the offer works on, when not simply its scope's (None: the scope's)."""
        return None

    def index_skus(self, promo: Promotion) -> tuple[str, ...] | None:
        """SKUs to index the offer under instead of its scope (None: the scope's)."""
        return None

    def gift(self, promo: Promotion, covered_cents: int) -> Gift | None:
        """For kinds that are not ``priced``: what the order gets when its covered lines
        come to ``covered_cents`` after every discount (None: nothing)."""
        return None

    # -- the floor guard --------------------------------------------------------------------
    def spend_targets(self, promo: Promotion, after_item: Decimal, max_steps: int) -> Iterable[Decimal]:
        """Spend levels worth topping a cart up to (the floor guard's 凑单 filler)."""
        threshold = getattr(promo.params, "threshold", None)
        return (threshold,) if threshold is not None and threshold > 0 else ()


class ItemKind(KindSpec):
    """An item-level kind: a price cut per line, on the amounts the item level has left."""

    level: ClassVar[Level] = Level.ITEM

    def line_take(self, promo: Promotion, line: Line, amount: int) -> tuple[int, Callable[[], str]]:
        """(cents off this line, the reason) for a line of ``amount`` cents."""
        raise NotImplementedError

    def apply(self, promo: Promotion, cart: Cart, amounts: list[int], lines: tuple[int, ...]) -> Applied | None:
        from shopops.promotions.engine.benefits import new_applied

        parts: list[tuple[int, int]] = []
        why = None
        line_take = self.line_take
        for i in lines:
            a = amounts[i]
            take, why = line_take(promo, cart.lines[i], a)
            take = max(0, min(take, a))
            if take:
                parts.append((i, take))
        if not parts:
            return None
        return new_applied(promo, tuple(parts), why, 0)


class OrderKind(KindSpec):
    """An order-level kind (store, platform or payment level): a take from sums alone."""

    def take(self, promo: Promotion, cart: Cart, base_sum: int, running: int, units: int,
             ) -> tuple[int, Callable[[], str], int] | None:
        """(cents, reason, points used) or None when the condition is not met.

        ``base_sum``: the covered lines at the start of the level (thresholds); ``running``:
        the same lines now (what % and caps apply to); ``units``: their quantity. It must
        depend on nothing else, and never grow when ``base_sum``/``running`` go down.
        The engine clips the take to ``running``.
        """
        raise NotImplementedError

    def upper_bound(self, promo: Promotion, cart: Cart, total: int, units: int) -> int:
        """The most ``take`` could be for lines summing to at most ``total``; the engine
        clips it to [0, total]. The default, ``total``, is always safe (only slower)."""
        return total

    # -- the search's inner loop: integer functions, built once per quote ----------------
    def take_cents(self, promo: Promotion, cart: Cart) -> Callable[[int, int, int], int]:
        """``take``'s cents as a function of (base_sum, running, units), clipped to [0, running]
        the way the engine clips it (``benefits.order_take``): 0 when the condition is not met
        or nothing is taken. The exact search calls it thousands of times per quote, so a kind
        may give an integer-only version (``int_take``); otherwise ``take`` is wrapped. A kind
        that overrides ``take`` below the class that wrote its ``int_take`` gets the wrapper."""
        if _defined_at_or_below(type(self), "int_take", "take"):
            fast = self.int_take(promo, cart)
            if fast is not None:
                return fast
        take = self.take

        def generic(base_sum: int, running: int, units: int) -> int:
            if running <= 0:
                return 0
            got = take(promo, cart, base_sum, running, units)
            return 0 if got is None else max(0, min(got[0], running))

        return generic

    def bound_cents(self, promo: Promotion, cart: Cart) -> Callable[[int, int], int]:
        """``upper_bound`` as a function of (total, units), clipped to [0, total]: the integer
        version ``int_bound`` when the kind has one (same rule as ``take_cents``)."""
        if _defined_at_or_below(type(self), "int_bound", "upper_bound"):
            fast = self.int_bound(promo, cart)
            if fast is not None:
                return fast
        bound = self.upper_bound

        def generic(total: int, units: int) -> int:
            return max(0, min(bound(promo, cart, total, units), total))

        return generic

    def int_take(self, promo: Promotion, cart: Cart) -> Callable[[int, int, int], int] | None:
        """An integer-only ``take_cents`` (same values as ``take``, clipped), or None."""
        return None

    def int_bound(self, promo: Promotion, cart: Cart) -> Callable[[int, int], int] | None:
        """An integer-only ``bound_cents`` (same values as ``upper_bound``, clipped), or None."""
        return None


@cache
def _defined_at_or_below(cls: type, fast: str, slow: str) -> bool:
    """Is the class that defines ``fast`` the one that defines ``slow``, or a subclass of it?
    (A subclass that overrides ``slow`` alone must not inherit its parent's ``fast``.)"""
    def owner(name: str) -> type | None:
        return next((c for c in cls.__mro__ if name in c.__dict__), None)

    fast_owner, slow_owner = owner(fast), owner(slow)
    return fast_owner is not None and slow_owner is not None and issubclass(fast_owner, slow_owner)


# ---------------------------------------------------------------------------- registry
def register(spec: KindSpec) -> KindSpec:
    """Add a kind. Its key must be new, and a parameter name it shares with another kind
    must have the same type there (the stored JSON is read by name)."""
    if spec.key in KINDS:
        raise ValueError(f"promotion kind {spec.key!r} is already registered")
    if not (0 < len(spec.key) <= 32):
        raise ValueError(f"promotion kind {spec.key!r}: the key must have 1 to 32 characters")
    if not isinstance(spec, (ItemKind, OrderKind)):
        raise TypeError(f"{spec.key}: a spec is an ItemKind or an OrderKind")
    if isinstance(spec, ItemKind) != (spec.level == Level.ITEM):
        raise ValueError(f"{spec.key}: item kinds are at Level.ITEM and only they")
    if not (dataclasses.is_dataclass(spec.params) and spec.params.__dataclass_params__.frozen):
        raise TypeError(f"{spec.key}: params must be a frozen dataclass")
    known = all_parameters()
    fields = param_infos(spec.params)
    for group in spec.required:
        for name in group:
            if name not in fields:
                raise ValueError(f"{spec.key}: required parameter {name!r} is not a field of {spec.params.__name__}")
    for f in dataclasses.fields(spec.params):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING and (f.name,) not in spec.required:
            raise ValueError(f"{spec.key}: parameter {f.name!r} has no default, so it must be required on its own")
    for name, info in fields.items():
        if name in known and known[name].type != info.type:
            raise ValueError(f"{spec.key}: parameter {name!r} is a {info.type} here but a {known[name].type} elsewhere")
    spec.order = len(KINDS)
    KINDS[spec.key] = spec
    return spec


def unregister(key: str) -> None:
    """Remove a kind (tests that register a toy kind clean up with this)."""
    KINDS.pop(key, None)


def kind_spec(key: str) -> KindSpec:
    try:
        return KINDS[key]
    except KeyError:
        raise ParamError(f"unknown promotion kind {key!r}") from None


def all_kinds() -> tuple[KindSpec, ...]:
    return tuple(KINDS.values())


def all_parameters() -> dict[str, ParamInfo]:
    """Every parameter name of every kind (first declaration wins), in a stable order."""
    out: dict[str, ParamInfo] = {}
    for spec in KINDS.values():
        for name, info in param_infos(spec.params).items():
            out.setdefault(name, info)
    return out


def validate_parameters(*, kind: str, parameters: Mapping[str, Any]) -> dict:
    """Normalised stored parameters of one kind, or ParamError naming the field and value.

    A parameter of another kind is kept (normalised) but not used: rows saved before a kind
    was changed keep their shape.
    """
    spec = kind_spec(kind)
    known = all_parameters()
    out: dict = {}
    for name, value in parameters.items():
        if value in (None, "", []):
            continue
        info = known.get(name)
        if info is None:
            raise ParamError(f"parameters.{name}: not a parameter of any promotion kind")
        out[name] = to_stored(name, info.type, value)
    for group in spec.required:
        if not any(name in out for name in group):
            raise ParamError(f"{spec.key} needs parameters.{' or parameters.'.join(group)}")
    problem = spec.check(spec.parse(out))
    if problem:
        raise ParamError(f"{spec.key}: {problem}")
    return out


_PROMOTION_FIELDS = frozenset(f.name for f in dataclasses.fields(Promotion) if f.init) - {"id", "kind", "params"}


def make_promotion(id: str, kind: str, /, **values: Any) -> Promotion:  # noqa: A002
    """A Promotion from flat keyword values: the promotion's own fields (scope, stackable …)
    and the kind's parameters (rate, threshold …) together. Parameters another kind uses
    are ignored, as for stored rows."""
    spec = kind_spec(kind)
    own = {k: v for k, v in values.items() if k in _PROMOTION_FIELDS}
    rest = {k: v for k, v in values.items() if k not in _PROMOTION_FIELDS}
    unknown = set(rest) - set(all_parameters())
    if unknown:
        raise ParamError(f"not a promotion field or parameter: {', '.join(sorted(unknown))}")
    if "store_share" in own:
        own["store_share"] = _decimal(own["store_share"])
    return Promotion(id=id, kind=kind, params=spec.parse(rest), **own)
