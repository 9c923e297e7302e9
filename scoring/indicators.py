"""KPI indicators (chỉ số KPI) of a unit or a position: exact 0–100 scores and their mean.

An indicator has a direction (``higher`` better, ``lower`` better, ``band`` = within
``[band_low, band_high]``, ``yes_no``), a scoring method (``ratio_capped``, ``bands``,
``pass_fail``) and an aggregation of the period's observations (``sum``, ``average``, ``last``,
``count``). Every number is an exact ``Fraction``; nothing is rounded except in the explanation's
formulas (display: 2 places, half up, decimal comma; aggregated values up to 6 places).

Aggregation (``aggregate``) of the period's observations ``v1 … vn``:

- no observation → ``None`` (no data: the indicator is not scored and does not count in the
  unit's mean), whatever the aggregation;
- ``sum`` → v1 + … + vn; ``average`` → (v1 + … + vn) / n, exact; ``count`` → n;
- ``last`` → the value of the observation with the latest ``at``; ties (and observations all
  without ``at``) go to the later one in the list. A ``date`` counts as midnight of that day.
  Either every observation has an ``at`` or none has; naive and timezone-aware datetimes cannot
  be mixed (ScoringInputError on ``values[i].at``).

Score (``score_indicator``) of the aggregated value ``v``, always within 0–100:

- ``ratio_capped`` with cap ``C`` (``cap_percent``, 0 < C ≤ 100, default 100), score clamped to
  ``[0, C]``:

  - ``higher``: min(C, 100 × v / target), target > 0; v ≤ 0 → 0;
  - ``lower``: min(C, 100 × target / v), target > 0; v ≤ 0 → C;
  - ``band``: inside [low, high] → C; v < low → min(C, 100 × v / low) when low > 0, else 0;
    v > high → min(C, 100 × high / v) when high > 0, else 0 (a ratio to a limit ≤ 0 is undefined);
    a negative ratio → 0;
  - ``yes_no``: v ≠ 0 → C, v = 0 → 0.

- ``bands``: the score of the last band whose ``from`` ≤ v; v below the first band → 0. The table
  is listed ascending by ``from`` for every direction: the scores themselves say what is better
  (``lower``: from 0 → 100, from 5 → 50). Target, band limits and cap are not used.
- ``pass_fail`` (100 or 0): ``higher`` v ≥ target; ``lower`` v ≤ target; ``band``
  low ≤ v ≤ high; ``yes_no`` v ≠ 0.

Unit score (``unit_indicator_score``): Σ weight × score / Σ weight over the indicators that have a
score (weight from the version, ``None`` = 1); ``None`` when no indicator has a score.

Validation (ScoringInputError naming the field): known direction, method and aggregation;
target 0 – 10^12, above 0 for ``ratio_capped`` ``higher``/``lower``, required for those and for
``pass_fail`` ``higher``/``lower``; ``band`` with ``ratio_capped`` or ``pass_fail`` needs
band_low ≤ band_high, each within ±10^12; ``bands`` needs 1–100 bands, ``from`` strictly
ascending within ±10^12, scores 0–100; cap_percent above 0 up to 100; weight above 0 up to
1,000; observed values within ±10^12; every number with at most 6 decimals; at most 100,000
observations per indicator and 10,000 indicators per unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from fractions import Fraction

from scoring.errors import ScoringInputError
from scoring.explain import Explanation, ExplanationStep
from scoring.numbers import HUNDRED, MAX_PLACES, SCALE, ZERO, scaled, shown, to_decimal

DIRECTIONS = ("higher", "lower", "band", "yes_no")
METHODS = ("ratio_capped", "bands", "pass_fail")
AGGREGATIONS = ("sum", "average", "last", "count")

MAX_VALUE = Decimal(10**12)
MAX_VALUES = 100_000
MAX_BANDS = 100
MAX_WEIGHT = Decimal(1_000)
MAX_INDICATORS = 10_000
# Display precision of the formulas: scores as the period total (2 places), values up to 6.
SCORE_PLACES = 2
VALUE_PLACES = MAX_PLACES
# Up to this many observations are written out one by one in the aggregation's formula.
LISTED_VALUES = 12

_DIRECTION_LABELS = {
    "higher": "càng cao càng tốt",
    "lower": "càng thấp càng tốt",
    "band": "trong khoảng",
    "yes_no": "đạt/không đạt",
}
_METHOD_LABELS = {
    "ratio_capped": "tỷ lệ so với chỉ tiêu (có trần)",
    "bands": "theo khung điểm",
    "pass_fail": "đạt/không đạt",
}
_AGGREGATION_LABELS = {
    "sum": "tổng",
    "average": "trung bình",
    "last": "giá trị cuối kỳ",
    "count": "số lần",
}

_ZERO = Fraction(0)
_HUNDRED = Fraction(100)


@dataclass(frozen=True)
class IndicatorSpec:
    """How one indicator is scored: the catalogue item's fields and its version's values.

    Numbers may be given as Decimal, int, str or float (through ``repr``) and are kept as
    Decimals; ``bands`` as ``((from, score), …)`` ascending by ``from``. Validated on creation
    (module docstring); ScoringInputError names the field (``target``, ``bands[1].score``, …).
    """

    code: str
    name: str
    direction: str
    method: str
    aggregation: str
    target: Decimal | None = None
    band_low: Decimal | None = None
    band_high: Decimal | None = None
    cap_percent: Decimal | None = None
    weight: Decimal | None = None
    bands: tuple[tuple[Decimal, Decimal], ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        code = self.code
        if type(code) is not str or not 0 < len(code) <= 100 or not code.strip():
            raise ScoringInputError("code", "Mã chỉ số phải là chuỗi 1–100 ký tự.")
        if type(self.name) is not str or len(self.name) > 500:
            raise ScoringInputError("name", "Tên chỉ số phải là chuỗi tối đa 500 ký tự.")
        _known(self.direction, DIRECTIONS, "direction", "Chiều đánh giá")
        _known(self.method, METHODS, "method", "Phương pháp chấm")
        _known(self.aggregation, AGGREGATIONS, "aggregation", "Cách tổng hợp")
        for name, low, high in (
            ("target", ZERO, MAX_VALUE),
            ("band_low", -MAX_VALUE, MAX_VALUE),
            ("band_high", -MAX_VALUE, MAX_VALUE),
            ("cap_percent", ZERO, HUNDRED),
            ("weight", ZERO, MAX_WEIGHT),
        ):
            value = getattr(self, name)
            if value is not None:
                set_(self, name, to_decimal(value, name, low=low, high=high))
        if self.cap_percent is not None and not self.cap_percent:
            raise ScoringInputError("cap_percent", "Mức trần phải lớn hơn 0.")
        if self.weight is not None and not self.weight:
            raise ScoringInputError("weight", "Trọng số phải lớn hơn 0.")
        set_(self, "bands", _bands(self.bands))
        self._check_required()

    def _check_required(self) -> None:
        direction, method = self.direction, self.method
        if method == "bands":
            if not self.bands:
                raise ScoringInputError("bands", "Phương pháp theo khung điểm cần khung điểm.")
            return
        if direction in ("higher", "lower"):
            if self.target is None:
                raise ScoringInputError("target", "Chỉ tiêu là bắt buộc.")
            if method == "ratio_capped" and not self.target:
                raise ScoringInputError(
                    "target", "Chỉ tiêu phải lớn hơn 0 để tính tỷ lệ so với chỉ tiêu."
                )
        elif direction == "band":
            for name in ("band_low", "band_high"):
                if getattr(self, name) is None:
                    raise ScoringInputError(name, "Chỉ tiêu trong khoảng cần cận dưới và cận trên.")
            if self.band_low > self.band_high:
                raise ScoringInputError("band_low", "Cận dưới lớn hơn cận trên.")

    @property
    def cap(self) -> Fraction:
        """The cap of ``ratio_capped`` as an exact score (``cap_percent``, default 100)."""
        return _HUNDRED if self.cap_percent is None else Fraction(self.cap_percent)

    @property
    def effective_weight(self) -> Fraction:
        """The weight in the unit's mean (``weight``, default 1)."""
        return Fraction(1) if self.weight is None else Fraction(self.weight)


@dataclass(frozen=True)
class IndicatorValue:
    """One observation of the indicator in the period, optionally with its time ``at``."""

    value: Decimal
    at: datetime | date | None = None

    def __post_init__(self) -> None:
        value = to_decimal(self.value, "value", low=-MAX_VALUE, high=MAX_VALUE)
        object.__setattr__(self, "value", value)
        if self.at is not None and not isinstance(self.at, date):
            raise ScoringInputError("at", "Thời điểm phải là ngày hoặc ngày giờ.")


@dataclass(frozen=True)
class IndicatorResult:
    """An indicator's aggregated value and score (``None`` both when the period has no data)."""

    spec: IndicatorSpec
    value: Fraction | None
    score: Fraction | None
    explanation: Explanation = ()

    @property
    def has_data(self) -> bool:
        """True when the period had at least one observation."""
        return self.score is not None


@dataclass(frozen=True)
class UnitIndicatorResult:
    """The weighted mean of a unit's indicator scores; ``None`` when no indicator has a score."""

    score: Fraction | None
    weight_total: Fraction
    results: tuple[IndicatorResult, ...]
    explanation: Explanation = ()


def aggregate(spec: IndicatorSpec, values: Sequence[IndicatorValue]) -> Fraction | None:
    """Return the period's value of the indicator, exact; ``None`` when there is no value."""
    _check_spec(spec)
    items = _values(values)
    return _aggregate(spec, items)[0] if items else None


def score_indicator(spec: IndicatorSpec, values: Sequence[IndicatorValue]) -> IndicatorResult:
    """Return the aggregated value, the 0–100 score and the explanation of one indicator."""
    _check_spec(spec)
    items = _values(values)
    if not items:
        step = ExplanationStep(
            "indicator.no_data",
            f"Chỉ số {spec.code}: không có số liệu trong kỳ",
            {"code": spec.code, "count": 0},
            "chưa có giá trị nào → không chấm điểm, không tính vào điểm của đơn vị",
            "",
        )
        return IndicatorResult(spec, None, None, (step,))
    value, formula = _aggregate(spec, items)
    aggregate_step = ExplanationStep(
        "indicator.aggregate",
        f"Chỉ số {spec.code}: giá trị của kỳ ({_AGGREGATION_LABELS[spec.aggregation]})",
        {"code": spec.code, "aggregation": spec.aggregation, "count": len(items)},
        formula,
        value,
    )
    score, formula = _score(spec, value)
    score_step = ExplanationStep(
        "indicator.score",
        f"Chỉ số {spec.code}: điểm — {_METHOD_LABELS[spec.method]}, "
        f"{_DIRECTION_LABELS[spec.direction]}",
        _score_inputs(spec, value),
        formula,
        score,
    )
    return IndicatorResult(spec, value, score, (aggregate_step, score_step))


def unit_indicator_score(results: Sequence[IndicatorResult]) -> UnitIndicatorResult:
    """Return Σ weight × score / Σ weight over the indicators with a score, and its steps."""
    if isinstance(results, str | bytes) or not isinstance(results, Sequence):
        raise ScoringInputError("results", "Danh sách kết quả chỉ số không hợp lệ.")
    if len(results) > MAX_INDICATORS:
        raise ScoringInputError("results", f"Tối đa {MAX_INDICATORS:,} chỉ số.".replace(",", "."))
    steps: list[ExplanationStep] = []
    terms: list[tuple[Fraction, Fraction]] = []
    for i, result in enumerate(results):
        if not isinstance(result, IndicatorResult) or not isinstance(result.spec, IndicatorSpec):
            raise ScoringInputError(f"results[{i}]", "Phải là kết quả chấm một chỉ số.")
        spec, score = result.spec, result.score
        if score is not None and not (isinstance(score, Fraction) and 0 <= score <= 100):
            raise ScoringInputError(f"results[{i}].score", "Điểm phải trong khoảng 0 đến 100.")
        weight = spec.effective_weight
        if score is None:
            formula = f"{spec.code}: không có số liệu → không tính"
        else:
            terms.append((weight, score))
            formula = (
                f"{spec.code}: giá trị {_value_text(result.value)}{_reference_text(spec)}, "
                f"điểm {_s(score)}, trọng số {_v(weight)}"
            )
        steps.append(
            ExplanationStep(
                "unit_indicators.indicator",
                f"Chỉ số {spec.code}: {spec.name}" if spec.name else f"Chỉ số {spec.code}",
                {
                    "code": spec.code,
                    "value": result.value,
                    "target": spec.target,
                    "score": score,
                    "weight": weight,
                },
                formula,
                "" if score is None else score,
            )
        )
    weight_total = sum((w for w, _ in terms), _ZERO)
    if not terms:
        steps.append(
            ExplanationStep(
                "unit_indicators.no_data",
                "Điểm chỉ số của đơn vị: không có chỉ số nào có số liệu",
                {"indicators": len(results)},
                "không có điểm chỉ số nào → không chấm điểm",
                "",
            )
        )
        return UnitIndicatorResult(None, weight_total, tuple(results), tuple(steps))
    total = sum((w * s for w, s in terms), _ZERO) / weight_total
    products = " + ".join(f"{_v(w)} × {_s(s)}" for w, s in terms)
    weights = " + ".join(_v(w) for w, _ in terms)
    steps.append(
        ExplanationStep(
            "unit_indicators.weighted_mean",
            "Điểm chỉ số của đơn vị (trung bình có trọng số)",
            {"weight_total": weight_total, "indicators": len(terms)},
            f"({products}) / ({weights}) {_approx(total)}",
            total,
        )
    )
    return UnitIndicatorResult(total, weight_total, tuple(results), tuple(steps))


def spec_from_mapping(data: Mapping) -> IndicatorSpec:
    """Return the spec of a plain mapping: a catalogue item with its version's values.

    Keys: ``code``, ``name`` (default ""), ``direction``, ``method`` or ``scoring_method`` (the
    catalogue's name), ``aggregation``, ``target``, ``band_low``, ``band_high``, ``cap_percent``,
    ``weight`` (numbers as str, int or Decimal; absent or ``None`` = not set) and ``bands`` as
    ``[{"from": "0", "score": "100"}, …]`` or pairs. Other keys (``kind``, ``positions``, …) are
    ignored, so a template item can be read as it is.
    """
    if not isinstance(data, Mapping):
        raise ScoringInputError("indicator", "Chỉ số phải là một đối tượng (mapping).")
    method = data.get("method")
    catalogue_method = data.get("scoring_method")
    if method is None:
        method = catalogue_method
    elif catalogue_method is not None and catalogue_method != method:
        raise ScoringInputError("method", "'method' và 'scoring_method' khác nhau.")
    raw_bands = data.get("bands")
    if raw_bands is None:
        raw_bands = ()
    if isinstance(raw_bands, str | bytes | Mapping) or not isinstance(raw_bands, Sequence):
        raise ScoringInputError("bands", "Khung điểm phải là một danh sách.")
    if len(raw_bands) > MAX_BANDS:
        raise ScoringInputError("bands", f"Tối đa {MAX_BANDS} khung điểm.")
    bands = []
    for i, band in enumerate(raw_bands):
        if isinstance(band, Mapping):
            if set(band) != {"from", "score"}:
                raise ScoringInputError(
                    f"bands[{i}]", 'Khung điểm cần đúng hai khóa "from", "score".'
                )
            bands.append((band["from"], band["score"]))
        else:
            bands.append(band)
    return IndicatorSpec(
        code=data.get("code"),
        name="" if data.get("name") is None else data.get("name"),
        direction=data.get("direction"),
        method=method,
        aggregation=data.get("aggregation"),
        target=data.get("target"),
        band_low=data.get("band_low"),
        band_high=data.get("band_high"),
        cap_percent=data.get("cap_percent"),
        weight=data.get("weight"),
        bands=tuple(bands),
    )


# --- validation -------------------------------------------------------------------------------


def _known(value: object, allowed: tuple[str, ...], field: str, what: str) -> None:
    if type(value) is not str or value not in allowed:
        raise ScoringInputError(
            field, f"{what} '{value}' không hợp lệ (chỉ nhận: {', '.join(allowed)})."
        )


def _bands(raw: object) -> tuple[tuple[Decimal, Decimal], ...]:
    if isinstance(raw, str | bytes | Mapping) or not isinstance(raw, Sequence):
        raise ScoringInputError("bands", "Khung điểm phải là danh sách các cặp (từ, điểm).")
    if len(raw) > MAX_BANDS:
        raise ScoringInputError("bands", f"Tối đa {MAX_BANDS} khung điểm.")
    result: list[tuple[Decimal, Decimal]] = []
    for i, band in enumerate(raw):
        if isinstance(band, str | bytes) or not isinstance(band, Sequence) or len(band) != 2:
            raise ScoringInputError(f"bands[{i}]", "Mỗi khung điểm là một cặp (từ, điểm).")
        start = to_decimal(band[0], f"bands[{i}].from", low=-MAX_VALUE, high=MAX_VALUE)
        score = to_decimal(band[1], f"bands[{i}].score", low=ZERO, high=HUNDRED)
        if result and start <= result[-1][0]:
            raise ScoringInputError(
                f"bands[{i}].from", 'Khung điểm phải tăng dần theo "from" (không trùng nhau).'
            )
        result.append((start, score))
    return tuple(result)


def _check_spec(spec: object) -> None:
    if not isinstance(spec, IndicatorSpec):
        raise ScoringInputError("spec", "Phải là một IndicatorSpec.")


def _values(values: object) -> Sequence[IndicatorValue]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ScoringInputError("values", "Các giá trị phải là một danh sách.")
    if len(values) > MAX_VALUES:
        raise ScoringInputError("values", f"Tối đa {MAX_VALUES:,} giá trị.".replace(",", "."))
    for i, item in enumerate(values):
        if not isinstance(item, IndicatorValue):
            raise ScoringInputError(f"values[{i}]", "Phải là một IndicatorValue.")
    return values


# --- aggregation --------------------------------------------------------------------------------


def _aggregate(spec: IndicatorSpec, items: Sequence[IndicatorValue]) -> tuple[Fraction, str]:
    """Return the aggregated value of a non-empty list and its formula."""
    count = len(items)
    kind = spec.aggregation
    if kind == "count":
        return Fraction(count), f"số lần ghi nhận trong kỳ = {count}"
    if kind == "last":
        index = _last_index(items)
        item = items[index]
        value = Fraction(item.value)
        when = "" if item.at is None else f" (lúc {item.at.isoformat()})"
        return value, f"giá trị ghi nhận sau cùng{when}, lần {index + 1}/{count} = {_v(value)}"
    total = Fraction(sum(scaled(item.value) for item in items), SCALE)
    if count <= LISTED_VALUES:
        listed = " + ".join(_term(Fraction(item.value)) for item in items)
    else:
        listed = f"tổng của {count} giá trị"
    if kind == "sum":
        return total, f"{listed} = {_v(total)}" if count > 1 else f"1 giá trị = {_v(total)}"
    mean = total / count
    return mean, f"({listed}) / {count} {_approx(mean, VALUE_PLACES)}"


def _last_index(items: Sequence[IndicatorValue]) -> int:
    """Index of the observation with the latest ``at``; ties go to the later one in the list."""
    dated = [item.at is not None for item in items]
    if not any(dated):
        return len(items) - 1
    if not all(dated):
        i = dated.index(False)
        raise ScoringInputError(
            f"values[{i}].at",
            "Giá trị cuối kỳ cần thời điểm của mọi lần ghi nhận (hoặc không lần nào có).",
        )
    keys = []
    aware = None
    for i, item in enumerate(items):
        at = item.at
        key = at if isinstance(at, datetime) else datetime.combine(at, time())
        is_aware = key.utcoffset() is not None
        if aware is None:
            aware = is_aware
        elif aware != is_aware:
            raise ScoringInputError(
                f"values[{i}].at", "Không trộn thời điểm có múi giờ với thời điểm không có."
            )
        keys.append(key)
    best = 0
    for i in range(1, len(keys)):
        if keys[i] >= keys[best]:
            best = i
    return best


# --- score ----------------------------------------------------------------------------------------


def _score(spec: IndicatorSpec, value: Fraction) -> tuple[Fraction, str]:
    """Return the 0–100 score of an aggregated value and its formula."""
    if spec.method == "bands":
        return _bands_score(spec, value)
    if spec.method == "pass_fail":
        return _pass_fail_score(spec, value)
    return _ratio_score(spec, value)


def _ratio_score(spec: IndicatorSpec, value: Fraction) -> tuple[Fraction, str]:
    cap = spec.cap
    v = _v(value)
    direction = spec.direction
    if direction == "yes_no":
        if value:
            return cap, f"{v} ≠ 0: đạt → min({_s(cap)}; 100) = {_s(cap)}"
        return _ZERO, f"{v} = 0: không đạt → 0"
    if direction == "band":
        low, high = Fraction(spec.band_low), Fraction(spec.band_high)
        if low <= value <= high:
            return cap, f"{_v(low)} ≤ {v} ≤ {_v(high)}: trong khoảng → {_s(cap)}"
        if value < low:
            if low <= 0:
                return _ZERO, f"{v} < cận dưới {_v(low)} ≤ 0: không tính được tỷ lệ → 0"
            return _capped(100 * value / low, cap, f"100 × {_term(value)} / {_v(low)}")
        if high <= 0:
            return _ZERO, f"{v} > cận trên {_v(high)}, cận trên ≤ 0: không tính được tỷ lệ → 0"
        return _capped(100 * high / value, cap, f"100 × {_term(high)} / {v}")
    target = Fraction(spec.target)
    if direction == "higher":
        return _capped(100 * value / target, cap, f"100 × {_term(value)} / {_v(target)}")
    if value <= 0:
        return cap, f"{v} ≤ 0: không vượt chỉ tiêu → mức trần {_s(cap)}"
    return _capped(100 * target / value, cap, f"100 × {_v(target)} / {v}")


def _capped(raw: Fraction, cap: Fraction, expression: str) -> tuple[Fraction, str]:
    score = min(cap, raw)
    if score < 0:
        return _ZERO, f"min({_s(cap)}; {expression}) < 0 → 0"
    return score, f"min({_s(cap)}; {expression}) {_approx(score)}"


def _bands_score(spec: IndicatorSpec, value: Fraction) -> tuple[Fraction, str]:
    chosen = None
    for start, score in spec.bands:
        if Fraction(start) <= value:
            chosen = (start, score)
        else:
            break
    v = _v(value)
    if chosen is None:
        first = spec.bands[0][0]
        return _ZERO, f"{v} < {_v(Fraction(first))} (khung đầu tiên) → 0"
    start, score = chosen
    result = Fraction(score)
    return result, f"{v} ≥ {_v(Fraction(start))}: khung từ {_v(Fraction(start))} → {_s(result)}"


def _pass_fail_score(spec: IndicatorSpec, value: Fraction) -> tuple[Fraction, str]:
    v = _v(value)
    direction = spec.direction
    if direction in ("higher", "lower"):
        target = Fraction(spec.target)
        if direction == "higher":
            passed, test = value >= target, f"{v} ≥ {_v(target)}"
        else:
            passed, test = value <= target, f"{v} ≤ {_v(target)}"
    elif direction == "band":
        low, high = Fraction(spec.band_low), Fraction(spec.band_high)
        passed, test = low <= value <= high, f"{_v(low)} ≤ {v} ≤ {_v(high)}"
    else:
        passed, test = value != 0, f"{v} ≠ 0"
    if passed:
        return _HUNDRED, f"{test}: đạt → 100"
    return _ZERO, f"{test}: không đạt → 0"


def _score_inputs(spec: IndicatorSpec, value: Fraction) -> dict:
    inputs: dict = {
        "code": spec.code,
        "direction": spec.direction,
        "method": spec.method,
        "value": value,
    }
    if spec.method == "bands":
        inputs["bands"] = spec.bands
        return inputs
    if spec.direction in ("higher", "lower"):
        inputs["target"] = spec.target
    elif spec.direction == "band":
        inputs["band_low"] = spec.band_low
        inputs["band_high"] = spec.band_high
    if spec.method == "ratio_capped":
        inputs["cap_percent"] = HUNDRED if spec.cap_percent is None else spec.cap_percent
    return inputs


# --- display ------------------------------------------------------------------------------------


def _s(score: Fraction) -> str:
    """A score as shown: 2 places, half up, decimal comma."""
    return shown(score, SCORE_PLACES)


def _v(value: Fraction) -> str:
    """A value as shown: up to 6 places, decimal comma."""
    return shown(value, VALUE_PLACES)


def _term(value: Fraction) -> str:
    """A value inside an expression: a negative one in parentheses."""
    text = _v(value)
    return f"({text})" if value < 0 else text


def _approx(value: Fraction, places: int = SCORE_PLACES) -> str:
    """``= shown`` when the shown value is exact, ``≈ shown`` otherwise."""
    text = shown(value, places)
    return f"= {text}" if Fraction(text.replace(",", ".")) == value else f"≈ {text}"


def _value_text(value: Fraction | None) -> str:
    return "—" if value is None else _v(value)


def _reference_text(spec: IndicatorSpec) -> str:
    if spec.method == "bands":
        return ", theo khung điểm"
    if spec.direction in ("higher", "lower"):
        return f", chỉ tiêu {_v(Fraction(spec.target))}"
    if spec.direction == "band":
        return f", khoảng [{_v(Fraction(spec.band_low))}; {_v(Fraction(spec.band_high))}]"
    return ""
