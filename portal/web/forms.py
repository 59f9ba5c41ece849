"""Declarative forms at the edge: a form says its fields once, in page order, and binding the
request gives typed values, GOV.UK field errors in page order and everything the user typed.

    class RestrictionForm(Form):
        kind = Choice("Restriction", RestrictionKind)
        starts_on = DateField("Date it starts", when="today_or_past")
        ends_on = DateField("Date it ends", required=False)
        court_reference = Text("Court reference", max_length=60, required=False)
        version = Version()

    def restriction_save(ctx: RequestContext) -> Response:
        form = RestrictionForm(ctx.form)
        if form.valid:
            with form.service_errors():                  # ValidationFailed, StaleEdit -> errors
                anonymity.add_restriction(ctx.db, ctx.actor, kind=form.kind, ...)
        if not form.valid:
            return render_form(ctx, "anonymity/person.html", form, _context(ctx))
        ctx.flash("Restriction recorded")
        return ctx.redirect("anonymity_person", ...)

``form.kind`` is the typed value (a ``RestrictionKind``; ``form.starts_on`` a ``date``), read only
when ``form.valid``. ``form.errors`` is a ``FieldErrors`` and ``form.values`` the raw inputs by
name (``starts_on-day``...), which is what the macros in components/forms.html take as
``errors`` and ``values``. A service's ``ValidationFailed`` errors are merged in page order;
a ``StaleEdit`` sets ``form.stale`` (what is stored now, for a conflict page) and an error on
``stale_field``. ``render_form`` answers 400 for errors and 409 for a stale edit.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator, Mapping
from datetime import date
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, TypeVar

from portal.clock import LONDON, utc_now
from portal.kit.errors import GuardRefused, NotFound, StaleEdit, ValidationFailed
from portal.web.dates import LEGACY_LATEST, DateField, date_parts, parse_date_parts
from portal.web.fields import (
    Checkbox,
    Choice,
    Field,
    Integer,
    MultiChoice,
    Source,
    Text,
    TextArea,
    Version,
    YesNo,
)

if TYPE_CHECKING:
    from starlette.responses import Response

    from portal.web.routing import RequestContext

__all__ = [
    "LEGACY_LATEST",
    "Checkbox",
    "Choice",
    "DateField",
    "EditForm",
    "Field",
    "FieldErrors",
    "Form",
    "Integer",
    "MultiChoice",
    "ServiceRefusals",
    "Text",
    "TextArea",
    "Version",
    "YesNo",
    "date_parts",
    "parse_date_parts",
    "path_id",
    "render_form",
    "uuid_or_404",
]


class Dataclass(Protocol):
    """A dataclass (what ``dataclasses.fields`` takes)."""

    __dataclass_fields__: ClassVar[dict[str, Any]]


C = TypeVar("C", bound=Dataclass)
STALE_MESSAGE = "Someone else saved this while you were working: check it and try again"


class FieldErrors:
    """Errors by field id, kept in insertion order for the GOV.UK error summary."""

    def __init__(self) -> None:
        self._errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self._errors.setdefault(field, message)

    def get(self, field: str, default: str | None = None) -> str | None:
        return self._errors.get(field, default)

    def items(self) -> Iterator[tuple[str, str]]:
        return iter(self._errors.items())

    def __contains__(self, field: object) -> bool:
        return field in self._errors

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __len__(self) -> int:
        return len(self._errors)


class _Empty:
    def get(self, key: str, default: Any = None) -> Any:
        return default

    def getlist(self, key: str) -> list[Any]:
        return []


class _Plain:
    """A plain mapping (tests, query strings turned into dicts) read like ``FormData``."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def get(self, key: str, default: Any = None) -> Any:
        value = self._data.get(key, default)
        return value[0] if isinstance(value, list | tuple) and value else value

    def getlist(self, key: str) -> list[Any]:
        value = self._data.get(key)
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]


def london_today() -> date:
    return utc_now().astimezone(LONDON).date()


class Form:
    """Declare fields as class attributes, in the order the page shows them. A subclass adds
    its own after its base's (or replaces one in place by reusing its name)."""

    fields: ClassVar[dict[str, Field[Any]]] = {}
    prefix: ClassVar[str] = ""
    """Inputs named ``<prefix><name>`` (a small form among others on a page) whose service
    speaks the unprefixed names: its errors get the prefix back, ``unreadable()`` drops it."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[str, Field[Any]] = {}
        for klass in reversed(cls.__mro__):
            for attribute, value in vars(klass).items():
                if isinstance(value, Field):
                    if attribute in _RESERVED:
                        raise TypeError(f"{cls.__name__}.{attribute}: the name is Form's own")
                    found[value.name] = value
        cls.fields = found

    def __init__(
        self, data: Source | Mapping[str, Any] | None = None, *, today: date | None = None
    ):
        """Bind ``data`` (``ctx.form``); ``None`` gives an empty, unsubmitted form."""
        self.today = today or london_today()
        self.submitted = data is not None
        self.data: dict[str, Any] = {}
        self.values: dict[str, str | list[str]] = {}
        self.errors = FieldErrors()
        self.stale: StaleEdit | None = None
        source: Source
        if data is None:
            source = _Empty()
        elif hasattr(data, "getlist"):
            source = data  # type: ignore[assignment]
        else:
            source = _Plain(data)
        found: list[tuple[str, str]] = []
        for name, field in self.fields.items():
            value, raw, error = field.bind(source, self.today)
            self.data[name] = value
            self.values.update(raw)
            if error and self.submitted:
                found.append((name, error))
        for name, error in found:
            self.errors.add(name, error)

    @classmethod
    def initial(cls, *, today: date | None = None, **stored: Any) -> Self:
        """An unsubmitted form showing stored values (a page's first rendering)."""
        form = cls(today=today)
        for name, value in stored.items():
            field = cls.fields[name]
            form.data[name] = value
            form.values.update(field.raw(value))
        return form

    @property
    def valid(self) -> bool:
        return self.submitted and not self.errors and self.stale is None

    @property
    def status_code(self) -> int:
        """409 after a stale edit, 400 with errors, otherwise 200."""
        if self.stale is not None:
            return 409
        return 400 if self.errors else 200

    def field(self, name: str) -> Field[Any]:
        """A field by name, for templates that need its options: ``form.field("kind").options``."""
        return self.fields[name]

    def add_error(self, name: str, message: str) -> None:
        """A check of the handler's own (one field against another), placed in page order."""
        self.merge({name: message})

    def merge(self, errors: Mapping[str, str]) -> None:
        """Add ``errors`` (a service's, by field id), keeping the summary in page order: known
        fields where they sit on the page, other ids after them in the order given. A field
        keeps its first error."""
        combined = dict(self.errors.items())
        for name, message in errors.items():
            combined.setdefault(self._named(name), message)
        position = {name: i for i, name in enumerate(self.fields)}
        ordered = sorted(combined.items(), key=lambda item: position.get(item[0], len(position)))
        self.errors = FieldErrors()
        for name, message in ordered:
            self.errors.add(name, message)

    def _named(self, name: str) -> str:
        return name if name in self.fields or not self.prefix else self.prefix + name

    def unreadable(self) -> dict[str, str]:
        """The fields that could not be read, by the service's (unprefixed) names."""
        return {name.removeprefix(self.prefix): message for name, message in self.errors.items()}

    def service_errors(
        self, *, stale_field: str | None = None, stale_message: str = STALE_MESSAGE
    ) -> ServiceErrors:
        """``with form.service_errors(): service.call(...)`` catches the service's
        ``ValidationFailed`` (merged in page order) and ``StaleEdit`` (``form.stale``, and
        ``stale_message`` against ``stale_field``, the first field by default). Every other
        error goes on to the edge (403, 404, 409 pages)."""
        target = stale_field or next(iter(self.fields), "")
        return ServiceErrors(self, target, stale_message)

    def build(self, kind: type[C], **given: Any) -> C:
        """A ``kind`` (a dataclass, a service's command) from the typed values of the fields
        named as its fields, and ``given`` for the others (or instead): ``form.build(NewOrder,
        amount=form.amount or None)``. Its fields no form field names keep their defaults."""
        names = {item.name for item in dataclasses.fields(kind)}
        found = {name: value for name, value in self.data.items() if name in names}
        return kind(**(found | given))

    def context(self) -> dict[str, Any]:
        """What a template needs: the form, and its ``errors`` and ``values`` for the macros."""
        return {"form": self, "errors": self.errors, "values": self.values}


_RESERVED = {name for name in vars(Form) if not name.startswith("__")} | {
    "data",
    "values",
    "errors",
    "stale",
    "today",
    "submitted",
}


class Catching:
    """A ``with`` block that hands the service's error to ``caught``: true when it is dealt
    with (the block then ends quietly), false to let it go on to the edge."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        return isinstance(error, Exception) and self.caught(error)

    def caught(self, error: Exception) -> bool:
        raise NotImplementedError


class ServiceErrors(Catching):
    def __init__(self, form: Form, stale_field: str, stale_message: str) -> None:
        self.form = form
        self.stale_field = stale_field
        self.stale_message = stale_message

    def caught(self, error: Exception) -> bool:
        if isinstance(error, StaleEdit):
            self.form.stale = error
            self.form.merge({self.stale_field: self.stale_message})
            return True
        if isinstance(error, ValidationFailed):
            self.form.merge(error.errors)
            return True
        return False


class _Refreshed(ServiceErrors):
    """After a stale edit the form carries the version stored now, so sending it again saves."""

    def caught(self, error: Exception) -> bool:
        handled = super().caught(error)
        if self.form.stale is not None:
            self.form.values["version"] = str(self.form.stale.current_version)
        return handled


class EditForm(Form):
    """A form editing a versioned record; ``STALE`` says so against ``STALE_FIELD`` (the first
    field when empty)."""

    STALE_FIELD: ClassVar[str] = ""
    STALE: ClassVar[str] = STALE_MESSAGE

    def saving(self) -> ServiceErrors:
        """``with form.saving(): service.call(...)``: the service's errors onto the form, and
        after a stale edit the stored version in the hidden ``version``."""
        errors = self.service_errors(stale_field=self.STALE_FIELD, stale_message=self.STALE)
        return _Refreshed(self, errors.stale_field, errors.stale_message)

    def refused(self) -> dict[str, str]:
        """What the form itself refused, for services that add their own checks to it."""
        return dict(self.errors.items())


class ServiceRefusals(Catching):
    """``with ServiceRefusals(errors) as refused: service.call(...)``: for a page whose form is
    not (yet) a ``Form``, what ``form.service_errors()`` does. The service's
    ``ValidationFailed`` goes on ``errors`` by field id (after ``suffix``, for a form in one row
    of a page), or all of it against ``onto``; with ``guards``, a ``GuardRefused`` reason goes
    against ``onto`` too (or, when ``guards`` names a field, against that one). ``refused`` is
    then true. Every other error goes on to the edge."""

    def __init__(
        self,
        errors: FieldErrors | None = None,
        *,
        onto: str | None = None,
        suffix: str = "",
        guards: bool | str = False,
    ) -> None:
        self.errors = FieldErrors() if errors is None else errors
        self.onto = onto
        self.suffix = suffix
        self.guards = guards
        self.refused = False

    def caught(self, error: Exception) -> bool:
        if isinstance(error, ValidationFailed):
            for name, message in error.errors.items():
                self.errors.add(self.onto or f"{name}{self.suffix}", message)
        elif self.guards and isinstance(error, GuardRefused) and self._guard_field():
            self.errors.add(self._guard_field() or "", error.reason)
        else:
            return False
        self.refused = True
        return True

    def _guard_field(self) -> str | None:
        return self.guards if isinstance(self.guards, str) else self.onto


def path_id(ctx: RequestContext, name: str) -> uuid.UUID:
    """A record's id from the path; one that is not a UUID is not found (404)."""
    return uuid_or_404(ctx.request.path_params[name])


def uuid_or_404(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(None) from None


def render_form(
    ctx: RequestContext,
    template: str,
    form: Form,
    context: Mapping[str, Any] | None = None,
    *,
    block: str | None = None,
) -> Response:
    """Render ``template`` with ``form`` (``form``, ``errors``, ``values``) and ``context``,
    with the form's status: 400 with errors, 409 after a stale edit, 200 otherwise."""
    return ctx.render(
        template, {**(context or {}), **form.context()}, block=block, status_code=form.status_code
    )
