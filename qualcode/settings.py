"""The one validated settings object of a ``tag`` run.

Built once, from Python keywords (``qc.tag(..., segment_by="sentence")``) or from the
command line, and checked *before* any file is opened: a misspelt method or unit fails at
once. It is passed down whole, and it is what ``.meta.json`` records (``settings``), so that
later commands read the inputs exactly as the run that made a codings file did.

Names
-----
``segment_by``  how documents are cut into segments: auto, turn, paragraph, sentence, window
                (CLI ``--segment-by``; the old spelling ``unit`` / ``--unit`` still works for
                one release, with a deprecation note)
``unit``        elsewhere (``matrix``, ``freq``, ``plot``, ``agree``): the *unit of analysis*
                codes are counted over: segment, document, participant, window, character
``format``      ``long`` (one row per segment and code) or ``wide`` (one row per segment or
                code); ``tidy`` is the old spelling of ``long``
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import OptionError

SEGMENT_BY = ("auto", "turn", "paragraph", "sentence", "window", "time")
OUTPUT_FORMATS = ("long", "wide")
# used when min_score is not given: any keyword match; a clear semantic match; for hybrid,
# more than one plain keyword alone (0.3) or a phrase alone (0.39)
DEFAULT_MIN_SCORE = {"keyword": 0.0, "embedding": 0.3, "hybrid": 0.4, "classifier": 0.5}

# old name -> new name, for one release
RENAMED = {"unit": "segment_by"}


def deprecated(old: str, new: str) -> None:
    """Warn that ``old`` is the old spelling of ``new``."""
    warnings.warn(f"{old!r} is deprecated and will be removed in the next release; use {new!r}", FutureWarning, 3)


def table_format(value: str) -> str:
    """``long`` or ``wide`` (``tidy`` is read as ``long``)."""
    if value == "tidy":
        deprecated("format 'tidy'", "format 'long'")
        return "long"
    if value not in OUTPUT_FORMATS:
        raise OptionError(f"format {value!r} is not one of: {', '.join(OUTPUT_FORMATS)}", option="format")
    return value


class Settings(BaseModel):
    """Everything a ``tag`` run is told, validated.

    Examples
    --------
    >>> from qualcode.settings import Settings
    >>> Settings(method="keyword", segment_by="sentence").min_score_for("keyword")
    0.0
    >>> Settings.build(method="keywrd")
    Traceback (most recent call last):
    ...
    qualcode.errors.OptionError: method 'keywrd' is not one of: keyword, embedding, hybrid, classifier
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    segment_by: Literal["auto", "turn", "paragraph", "sentence", "window", "time"] = "auto"
    window_size: int = Field(3, ge=1, le=1000)
    window_overlap: int = Field(1, ge=0)
    window_seconds: float = Field(60.0, gt=0, le=86_400)
    method: str = "hybrid"
    min_score: float | None = Field(None, ge=0.0, le=1.0)
    top_k: int | None = Field(None, ge=1)
    format: Literal["long", "wide"] = "long"
    include_interviewer: bool = False
    interviewers: tuple[str, ...] | None = None
    metadata: str | None = None
    metadata_key: str = "doc_id"
    text_column: str | tuple[str, ...] | None = None
    id_column: str | None = None
    speaker_column: str | None = None
    codes_column: str | tuple[str, ...] | None = None
    codes_separator: str = ";"
    encoding: str | None = None
    ids: Literal["name", "folder"] = "name"
    model: str | None = None
    encoder: str = "onnx"
    cache: str | None = "default"
    training: tuple[str, ...] | None = None
    training_given: int | None = None  # how many of training were given; the rest records named (None: all)
    min_examples: int = Field(20, ge=1)
    previous: str | None = "auto"

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        from .match import matcher_names

        if value not in matcher_names():
            raise ValueError(f"method {value!r} is not one of: {', '.join(matcher_names())}")
        return value

    @field_validator("metadata", "model", "cache", "previous", mode="before")
    @classmethod
    def _path_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, Path) else value

    @field_validator("training", mode="before")
    @classmethod
    def _paths(cls, value: Any) -> Any:
        """One codings file or several (a single path, as older ``.meta.json`` files hold it)."""
        if value is None or isinstance(value, str | Path):
            return None if value is None else (str(value),)
        if isinstance(value, list | tuple):
            return tuple(str(v) if isinstance(v, Path) else v for v in value) or None
        return value

    @field_validator("text_column", "codes_column", mode="before")
    @classmethod
    def _text_columns(cls, value: Any) -> Any:
        """One column (as a string, as records hold it), or several (a survey's questions; coders' code columns)."""
        if isinstance(value, list | tuple):
            columns = tuple(str(v) for v in value)
            return None if not columns else columns[0] if len(columns) == 1 else columns
        return value

    @field_validator("interviewers", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return None if value is None else (value,)
        return tuple(value) or None

    @model_validator(mode="before")
    @classmethod
    def _old_names(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for old, new in RENAMED.items():
                if old in data:
                    deprecated(old, new)
                    value = data.pop(old)
                    data.setdefault(new, value)
            if data.get("format") == "tidy":
                data["format"] = table_format("tidy")
        return data

    @field_validator("encoder")
    @classmethod
    def _known_encoder(cls, value: str) -> str:
        from .embed.base import _MODULES, encoder_names

        if value not in _MODULES and value not in encoder_names():
            raise ValueError(f"encoder {value!r} is not one of: {', '.join(encoder_names())}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.window_overlap >= self.window_size:
            raise ValueError(
                f"window_overlap {self.window_overlap} must be smaller than window_size {self.window_size}"
            )
        return self

    @classmethod
    def build(cls, settings: Settings | None = None, **options: Any) -> Settings:
        """Settings from ``options`` (over ``settings`` when given), or an :class:`OptionError`
        naming the first bad option and its allowed values."""
        from .match import matcher_class

        data = settings.model_dump() if settings is not None else {}
        data.update(options)
        cache = options.get("cache")
        if cache is not None and str(cache) != "default":  # recorded whole: a later command run from
            data["cache"] = str(Path(cache).resolve())  # another folder keeps PDF text in this one
        if options.get("window_seconds") is not None and data.get("segment_by", "auto") == "auto":
            data["segment_by"] = "time"  # asking for seconds asks for time windows
        if options.get("window_seconds") is not None and data.get("segment_by") != "time":
            raise OptionError(
                f"window_seconds cuts captions into time windows; it does not go with segment_by "
                f"{data.get('segment_by')!r} (use segment_by 'time', or leave it out)",
                option="window_seconds",
            )
        if data.get("window_seconds") is None:
            data.pop("window_seconds", None)
        if data.get("method") is None:
            data.pop("method", None)  # not given: the default (hybrid; classifier when learning)
        learning = data.get("training") is not None or data.get("codes_column") is not None
        asked = options.get("method")
        if learning and asked is not None and not matcher_class(str(asked)).learns:
            raise OptionError(
                f"method {asked!r} does not learn from human codes, and training codes were given (they fit the "
                "classifier): leave the method out, or the training codes",
                option="method",
            )
        if learning and not matcher_class(str(data.get("method", "hybrid"))).learns:
            data["method"] = "classifier"
        try:
            return cls(**data)
        except ValidationError as error:
            raise option_error(error) from None

    def min_score_for(self, method: str) -> float:
        """``min_score``, or the method's default when it is not set."""
        return self.min_score if self.min_score is not None else DEFAULT_MIN_SCORE.get(method, 0.0)

    def read_options(self) -> dict[str, Any]:
        """The keywords of :func:`qualcode.read_transcripts` these settings fix."""
        return {
            "segment_by": self.segment_by,
            "window_size": self.window_size,
            "window_overlap": self.window_overlap,
            "window_seconds": self.window_seconds,
            "interviewers": list(self.interviewers) if self.interviewers else None,
            "metadata": self.metadata,
            "metadata_key": self.metadata_key,
            "text_column": self.text_column,
            "id_column": self.id_column,
            "speaker_column": self.speaker_column,
            "codes_column": self.codes_column,
            "codes_separator": self.codes_separator,
            "encoding": self.encoding,
            "cache": self.cache,
            "ids": self.ids,
        }

    def record(self) -> dict[str, Any]:
        """JSON-ready, for ``.meta.json`` (tuples as lists)."""
        data = self.model_dump()
        data["interviewers"] = list(self.interviewers) if self.interviewers else None
        return data

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Settings:
        """Settings from a ``.meta.json`` record; keys of older files are mapped, unknown ones ignored."""
        data = dict(record)
        if "unit" in data and "segment_by" not in data:
            data["segment_by"] = data.pop("unit")
        data.pop("unit", None)
        known = {key: value for key, value in data.items() if key in cls.model_fields}
        try:
            return cls(**known)
        except ValidationError as error:
            raise option_error(error) from None


def option_error(error: ValidationError) -> OptionError:
    """The first problem of a pydantic error, as one line naming the option."""
    first = error.errors()[0]
    name = ".".join(str(part) for part in first["loc"]) or "settings"
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "literal_error":
        allowed = first.get("ctx", {}).get("expected", "")
        message = f"{name} {first['input']!r} is not one of: {allowed.replace(' or ', ', ').replace(chr(39), '')}"
    elif first["type"] == "extra_forbidden":
        message = f"unknown option {name!r}"
    elif not first["loc"]:
        pass
    elif not message.startswith(name):
        message = f"{name}: {message} (got {first['input']!r})"
    return OptionError(message, option=name if name in Settings.model_fields else None)
