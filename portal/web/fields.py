"""The kinds of form field (portal.web.forms.Form): each reads its inputs from the request's form,
turns them into a typed value or one GOV.UK error message, and keeps exactly what was typed.

Every field is hostile-input safe: values are bounded before they are parsed (a 20-digit number
is an error, not a 20-digit int), digits are ASCII only (``int("١٢")`` would accept Arabic-Indic
digits), NUL and other control characters are refused (PostgreSQL cannot store NUL in text) and
nothing raises; a bad value becomes a field error.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any, Generic, Literal, Protocol, TypedDict, TypeVar, Unpack, overload

from portal.kit.enums import LabelledStrEnum
from portal.web import params

__all__ = [
    "Checkbox",
    "Choice",
    "Field",
    "Integer",
    "MultiChoice",
    "Raw",
    "Revision",
    "Source",
    "Text",
    "TextArea",
    "Ticked",
    "Ticks",
    "Typed",
    "Version",
    "YesNo",
]

T = TypeVar("T")
E = TypeVar("E", bound=LabelledStrEnum)
Raw = dict[str, str | list[str]]
Pairs = Sequence[tuple[str, str]]
Choices = type[LabelledStrEnum] | Pairs
MAX_DIGITS = 12
ALLOWED_CONTROLS = frozenset("\t\n")


class Source(Protocol):
    """What a field reads: Starlette's ``FormData`` (or ``QueryParams``) has this shape."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


class Bound(Protocol):
    """A bound form (portal.web.forms.Form), as a field sees it."""

    data: dict[str, Any]


class Options(TypedDict, total=False):
    """What every field takes after its label: ``required``, the ``message`` when a required
    one is left empty, and the input's ``name`` (the attribute's by default)."""

    required: bool
    message: str | None
    name: str


class Needed(Options, total=False):
    """A required field's options (the default): its value is never None."""

    required: Literal[True]  # type: ignore[misc]


class Unneeded(Options):
    """An optional field's options (``required=False``): its value may be None."""

    required: Literal[False]  # type: ignore[misc]


class Field(Generic[T]):
    """A field's name is its attribute name on the form (and the HTML ``name`` and ``id``);
    ``label`` is the question, in sentence case, used in messages."""

    def __init__(
        self, label: str, *, required: bool = True, message: str | None = None, name: str = ""
    ) -> None:
        self.label = label
        self.required = required
        self.message = message
        self.name = name

    def __set_name__(self, owner: type, attribute: str) -> None:
        if not self.name:
            self.name = attribute

    @overload
    def __get__(self, form: None, owner: type) -> Field[T]: ...
    @overload
    def __get__(self, form: Bound, owner: type) -> T: ...
    def __get__(self, form: Bound | None, owner: type) -> Field[T] | T:
        if form is None:
            return self
        value: T = form.data[self.name]
        return value

    @property
    def missing(self) -> str:
        """The message when a required field is left empty."""
        if self.message:
            return self.message
        return f"Enter {lower_first(self.label)}"

    def bind(self, source: Source, today: date) -> tuple[T, Raw, str | None]:
        """(typed value, what was typed by input name, error message or None)."""
        raise NotImplementedError

    def raw(self, value: T) -> Raw:
        """What the inputs show for a stored ``value`` (a page's first rendering)."""
        return {self.name: "" if value is None else str(value)}


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def text_of(source: Source, name: str) -> str:
    value = source.get(name, "")
    return value if isinstance(value, str) else ""


def _clean(text: str, *, multiline: bool) -> str | None:
    """``text`` without CRs (and, on one line, with tabs as spaces), or None if it holds a
    character that has no place in typed text (NUL, other controls, lone surrogates)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = text.replace("\t", " ")
    allowed = ALLOWED_CONTROLS if multiline else frozenset()
    for char in text:
        if char in allowed:
            continue
        category = unicodedata.category(char)
        if category == "Cc" or category == "Cs":
            return None
    return text


class Text(Field[str]):
    """One line of text, up to ``max_length`` characters. Empty and not required gives ""."""

    multiline = False

    def __init__(
        self, label: str, *, max_length: int, strip: bool = True, **kw: Unpack[Options]
    ) -> None:
        super().__init__(label, **kw)
        self.max_length = max_length
        self.strip = strip

    def bind(self, source: Source, today: date) -> tuple[str, Raw, str | None]:
        cleaned = _clean(text_of(source, self.name), multiline=self.multiline)
        if cleaned is None:
            return "", {self.name: ""}, f"{self.label} must not contain special characters"
        value = cleaned.strip() if self.strip else cleaned
        raw: Raw = {self.name: value}
        if not value.strip():
            return "", raw, self.missing if self.required else None
        if len(value) > self.max_length:
            return value, raw, f"{self.label} must be {self.max_length:,} characters or fewer"
        return value, raw, None


class TextArea(Text):
    """Several lines of text: line breaks kept (as ``\\n``), tabs allowed."""

    multiline = True


class Bounds(TypedDict):
    minimum: int
    maximum: int


class NeededBounds(Bounds, Needed):
    pass


class UnneededBounds(Bounds, Unneeded):
    pass


class Integer(Field[T]):
    """A whole number within ``minimum..maximum``, typed as ASCII digits (and a leading minus
    where ``minimum`` is negative)."""

    @overload
    def __init__(self: Integer[int], label: str, **kw: Unpack[NeededBounds]) -> None: ...
    @overload
    def __init__(self: Integer[int | None], label: str, **kw: Unpack[UnneededBounds]) -> None: ...
    def __init__(self, label: str, *, minimum: int, maximum: int, **kw: Unpack[Options]) -> None:
        super().__init__(label, **kw)
        if minimum > maximum:
            raise ValueError("minimum is above maximum")
        self.minimum = minimum
        self.maximum = maximum

    def bind(self, source: Source, today: date) -> tuple[T, Raw, str | None]:
        typed = text_of(source, self.name).strip()
        raw: Raw = {self.name: typed[:40]}
        empty: Any = None
        if not typed:
            return empty, raw, self.missing if self.required else None
        digits = typed[1:] if typed.startswith("-") and self.minimum < 0 else typed
        if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_DIGITS:
            return empty, raw, f"{self.label} must be a whole number"
        number = int(typed)
        if not self.minimum <= number <= self.maximum:
            low, high = self.minimum, self.maximum
            return empty, raw, f"{self.label} must be between {low:,} and {high:,}"
        value: Any = number
        return value, raw, None


class Choice(Field[T]):
    """One of a fixed set of options (radios or a select), from a labelled enum (the value is
    the member) or a list of ``(value, label)`` pairs (the value is the string)."""

    @overload
    def __init__(self: Choice[E], label: str, choices: type[E], **kw: Unpack[Needed]) -> None: ...
    @overload
    def __init__(
        self: Choice[E | None], label: str, choices: type[E], **kw: Unpack[Unneeded]
    ) -> None: ...
    @overload
    def __init__(self: Choice[str], label: str, choices: Pairs, **kw: Unpack[Options]) -> None: ...
    def __init__(self, label: str, choices: Choices, **kw: Unpack[Options]) -> None:
        super().__init__(label, **kw)
        if isinstance(choices, type):
            self.options: list[tuple[str, str]] = choices.choices()
            self._members: dict[str, Any] = {m.value: m for m in choices}
        else:
            self.options = list(choices)
            self._members = {value: value for value, _ in self.options}
        self._empty: Any = "" if isinstance(choices, Sequence) else None

    @property
    def missing(self) -> str:
        return self.message or f"Select {lower_first(self.label)}"

    def bind(self, source: Source, today: date) -> tuple[T, Raw, str | None]:
        typed = text_of(source, self.name)
        if typed in self._members:
            return self._members[typed], {self.name: typed}, None
        if not typed and not self.required:
            return self._empty, {self.name: ""}, None
        return self._empty, {self.name: ""}, self.missing


class MultiChoice(Field[list[T]]):
    """Checkboxes: any of a fixed set of options, in the options' order (unknown values are
    refused, repeats ignored). ``required`` means at least one."""

    @overload
    def __init__(
        self: MultiChoice[E], label: str, choices: type[E], **kw: Unpack[Options]
    ) -> None: ...
    @overload
    def __init__(
        self: MultiChoice[str], label: str, choices: Pairs, **kw: Unpack[Options]
    ) -> None: ...
    def __init__(self, label: str, choices: Choices, **kw: Unpack[Options]) -> None:
        super().__init__(label, **({"required": False} | kw))
        name = self.name
        self._choice: Choice[Any] = Choice(label, choices, name=name)
        self.options = self._choice.options

    @property
    def missing(self) -> str:
        return self.message or f"Select {lower_first(self.label)}"

    def bind(self, source: Source, today: date) -> tuple[list[T], Raw, str | None]:
        typed = {v for v in source.getlist(self.name)[:200] if isinstance(v, str)}
        members = self._choice._members
        unknown = typed - set(members)
        chosen = [value for value, _ in self.options if value in typed]
        if unknown:
            return [], {self.name: chosen}, self.missing
        if not chosen and self.required:
            return [], {self.name: []}, self.missing
        return [members[v] for v in chosen], {self.name: chosen}, None

    def raw(self, value: list[T]) -> Raw:
        return {self.name: [str(v) for v in value or ()]}


class YesNo(Field[T]):
    """Radios answering yes or no (values ``yes`` and ``no``)."""

    @overload
    def __init__(self: YesNo[bool], label: str, **kw: Unpack[Needed]) -> None: ...
    @overload
    def __init__(self: YesNo[bool | None], label: str, **kw: Unpack[Unneeded]) -> None: ...
    def __init__(self, label: str, **kw: Unpack[Options]) -> None:
        super().__init__(label, **kw)

    @property
    def missing(self) -> str:
        return self.message or "Select yes or no"

    def bind(self, source: Source, today: date) -> tuple[T, Raw, str | None]:
        typed = text_of(source, self.name)
        empty: Any = None
        if typed not in ("yes", "no"):
            return empty, {self.name: ""}, self.missing if self.required or typed else None
        answer: Any = typed == "yes"
        return answer, {self.name: typed}, None

    def raw(self, value: T) -> Raw:
        return {self.name: "" if value is None else ("yes" if value else "no")}


class Checkbox(Field[bool]):
    """One checkbox (``value="yes"``): True when ticked. ``required`` means it must be ticked,
    as for a declaration; ``message`` then says what to confirm."""

    def __init__(self, label: str, **kw: Unpack[Options]) -> None:
        super().__init__(label, **({"required": False} | kw))

    @property
    def missing(self) -> str:
        return self.message or f"Confirm {lower_first(self.label)}"

    def bind(self, source: Source, today: date) -> tuple[bool, Raw, str | None]:
        ticked = text_of(source, self.name) == "yes"
        error = self.missing if self.required and not ticked else None
        return ticked, {self.name: ["yes"] if ticked else []}, error

    def raw(self, value: bool) -> Raw:
        return {self.name: ["yes"] if value else []}


class Version(Field[int]):
    """The hidden ``version`` of a record being edited (optimistic locking). A missing one
    reads as -1, which matches no record, so the service answers ``StaleEdit`` and the page
    shows what is stored now; a garbled one is not something the portal wrote, so it is a 400
    like every other bad number a request carries (``portal.web.params``)."""

    def __init__(self, *, name: str = "") -> None:
        super().__init__("Version", required=False, name=name)

    def bind(self, source: Source, today: date) -> tuple[int, Raw, str | None]:
        typed = text_of(source, self.name).strip()
        value = params.int_param(typed, -1, low=0, high=params.MAX_INTEGER)
        return value, {self.name: str(value) if value >= 0 else ""}, None


class Typed(Field[str]):
    """Text as typed (``strip``: without surrounding spaces), never an error of its own: for
    pages whose service checks the text and words the message."""

    def __init__(self, label: str = "", *, strip: bool = True, name: str = "") -> None:
        super().__init__(label, required=False, name=name)
        self.strip = strip

    def bind(self, source: Source, today: date) -> tuple[str, Raw, str | None]:
        typed = text_of(source, self.name)
        value = typed.strip() if self.strip else typed
        return value, {self.name: value}, None


def ticked(source: Source, name: str) -> list[str]:
    """The values of the ticked checkboxes called ``name``, in the order sent."""
    return [v for v in source.getlist(name) if isinstance(v, str)]


class Ticked(Field[list[str]]):
    """Checkboxes, never an error: the ticked values in the order sent; with ``offered``, only
    those offered (``keep_unknown``: the typed value keeps the others too, for the service to
    refuse; the page shows only the offered ones)."""

    def __init__(
        self,
        label: str,
        offered: Sequence[str] | None = None,
        *,
        keep_unknown: bool = False,
        name: str = "",
    ) -> None:
        super().__init__(label, required=False, name=name)
        self.offered = None if offered is None else frozenset(offered)
        self.keep_unknown = keep_unknown

    def _known(self, values: Sequence[str]) -> list[str]:
        return [v for v in values if self.offered is None or v in self.offered]

    def bind(self, source: Source, today: date) -> tuple[list[str], Raw, str | None]:
        typed = ticked(source, self.name)
        known = self._known(typed)
        return (typed if self.keep_unknown else known), {self.name: known}, None

    def raw(self, value: list[str]) -> Raw:
        return {self.name: self._known(value or [])}


class Ticks(Field[set[str]]):
    """Ticked checkboxes sharing a name, as a set (unknown values are the service's to refuse,
    or ignore); shown back sorted."""

    def __init__(self, label: str, *, name: str = "") -> None:
        super().__init__(label, required=False, name=name)

    def bind(self, source: Source, today: date) -> tuple[set[str], Raw, str | None]:
        values = set(ticked(source, self.name))
        return values, self.raw(values), None

    def raw(self, value: set[str]) -> Raw:
        return {self.name: sorted(value)}


class Revision(Field[int | None]):
    """An optional hidden ``version``: None when the form sends none (no check), -1 when garbled
    (matches no record, so the service answers ``StaleEdit``)."""

    def __init__(self, *, name: str = "") -> None:
        super().__init__("Version", required=False, name=name)

    def bind(self, source: Source, today: date) -> tuple[int | None, Raw, str | None]:
        typed = text_of(source, self.name).strip()
        if not typed:
            return None, {self.name: ""}, None
        ok = typed.isascii() and typed.isdigit() and len(typed) < 10
        return (int(typed) if ok else -1), {self.name: typed if ok else ""}, None
