"""Hypothesis strategies for fuzz inputs: seed files mutated at the byte level and JSON-like
values mutated at the structure level, with payloads aimed at the known failure classes
(issue 11): long runs for regular expressions, NaN/inf, deep nesting, odd encodings, huge
fields, wrong types."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

#: Byte payloads spliced into seed files.
PAYLOADS: list[bytes] = [
    b" " * 3000, b"\t" * 500, b"\n" * 500, b"\x00", b"\xff\xfe", b"\xef\xbb\xbf",
    "中".encode() * 3000, "联合".encode() * 300, "、".encode() * 500, b"1" * 3000, b"1-" * 1500,
    b"1," * 1500, b"(" * 2000, b"<" * 500, b"<div>" * 300, b"{" * 500, b"[" * 2000, b"]" * 50,
    b'"', b"'", b",", b"\\", b"NaN", b"Infinity", b"-1e999", b"9" * 5000, b"and " * 500,
    b"plus " * 300, b"mg " * 500, b"10^" * 200, "；".encode() * 300, "：".encode() * 100,
    "注册号：".encode(), b"Registration number:", b"ChiCTR2400000001", b"NCT09999999",
    b"protocolSection", b"</clinical_study>", b"<Triall>", b"&amp;" * 100, b"&#0;", b"&#xD800;",
    b"\r\n" * 200, "\u3000".encode() * 500, "\u2028".encode(), "😀".encode() * 200,
    "肝细胞癌 ".encode("gb18030") * 50, "仑伐替尼".encode("utf-16"),
]


def _apply(data: bytearray, op: str, pos: int, length: int, payload: bytes) -> bytearray:
    pos = min(pos, len(data))
    if op == "insert":
        return data[:pos] + payload + data[pos:]
    if op == "replace":
        return data[:pos] + payload + data[pos + length:]
    if op == "delete":
        return data[:pos] + data[pos + length:]
    if op == "duplicate":
        return data[:pos] + data[pos:pos + length] * 3 + data[pos:]
    if op == "truncate":
        return data[:pos]
    if op == "flip" and data:
        at = min(pos, len(data) - 1)
        data[at] ^= 1 << (length % 8)
        return data
    return data


@st.composite
def mutated_bytes(draw: st.DrawFn, seed: bytes, *, max_ops: int = 4) -> bytes:
    """*seed* with 1 to *max_ops* byte-level mutations, sometimes transcoded as a whole."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(st.sampled_from(["insert", "replace", "delete", "duplicate", "truncate", "flip"]))
        pos = draw(st.integers(0, max(len(data), 1)))
        length = draw(st.integers(0, 400))
        payload = draw(st.one_of(st.sampled_from(PAYLOADS), st.binary(max_size=40),
                                 st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass"))))
        data = _apply(data, op, pos, length, payload)
    encoding = draw(st.sampled_from([None] * 8 + ["gb18030", "utf-16", "utf-16-le"]))
    if encoding:
        text = bytes(data).decode("utf-8", "replace")
        return text.encode(encoding, "replace")
    return bytes(data)


def file_bytes(seed: bytes) -> st.SearchStrategy[bytes]:
    """Mutated seeds, plus now and then bytes or text built from nothing."""
    return st.one_of(
        mutated_bytes(seed),
        mutated_bytes(seed),
        mutated_bytes(seed),
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.just(math.nan), st.just(math.inf), st.text(max_size=20), st.just("x" * 100_000),
    st.sampled_from(["", "<", "<<", ">=", "ad", "2024-02-30", "2024-01-01", "Patient", "Bundle",
                     "Observation", "mg/dL", "10*9/L", "1975-2", "http://loinc.org", "nan", "inf"]),
)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)


@st.composite
def mutated_json(draw: st.DrawFn, seed: Any, *, max_ops: int = 3) -> Any:
    """A deep copy of *seed* (a JSON-like value) with 1 to *max_ops* sub-values replaced,
    deleted or deeply nested."""
    import copy

    value = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, max_ops))):
        holder, key = None, None
        node = value
        for _ in range(draw(st.integers(0, 8))):
            if isinstance(node, dict) and node:
                k = draw(st.sampled_from(sorted(node, key=str)))
            elif isinstance(node, list) and node:
                k = draw(st.integers(0, len(node) - 1))
            else:
                break
            holder, key, node = node, k, node[k]
        if holder is None:
            continue
        op = draw(st.sampled_from(["replace", "replace", "delete", "nest", "type"]))
        if op == "delete":
            del holder[key]
        elif op == "nest":
            wrapped: Any = holder[key]
            for _ in range(draw(st.integers(1, 200))):
                wrapped = [wrapped]
            holder[key] = wrapped
        elif op == "type":
            holder[key] = draw(st.sampled_from([[holder[key]], str(holder[key])[:50], {"v": holder[key]}, None]))
        else:
            holder[key] = draw(JSON_VALUES)
    return value
