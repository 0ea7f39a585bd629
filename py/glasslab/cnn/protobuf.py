"""The protobuf wire format, as much of it as ONNX files use (no ``protobuf`` package).

A message is a sequence of fields, each a key varint ``number << 3 | wire_type``
followed by its value: a varint (wire type 0), 8 bytes (1), a length-prefixed span
(2) or 4 bytes (5). :func:`fields` yields them; a span is returned as ``(start, end)``
offsets into the buffer, so nothing is copied. Every decoded field and list value is
paid from a per-call budget (:func:`start_budget`), so a file of millions of tiny
fields is refused instead of taking minutes. Malformed bytes raise
:class:`OnnxFormatError` with a readable message.
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = ["OnnxFormatError", "MAX_LIST_VALUES", "VARINT", "I64", "LEN", "I32", "start_budget"]

MAX_LIST_VALUES = 1 << 20  # values in one tensor's typed (non-raw) data or one attribute list

# Wire types
VARINT, I64, LEN, I32 = 0, 1, 2, 5


class OnnxFormatError(ValueError):
    """The bytes are not a well-formed ONNX model (or use a feature this reader lacks)."""


_budget = threading.local()


def start_budget(limit: int) -> None:
    """Allow ``limit`` more fields and list values in this thread (one file's read)."""
    _budget.limit = _budget.left = limit


def spend(count: int) -> None:
    limit = getattr(_budget, "limit", 1_000_000)
    left = getattr(_budget, "left", limit) - count
    _budget.left = left
    if left < 0:
        raise OnnxFormatError(
            f"the file has more than {limit} protobuf fields; store large tensors as raw_data"
        )


def varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= end:
            raise OnnxFormatError("truncated protobuf: a varint runs past the end of its message")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise OnnxFormatError("malformed protobuf: varint longer than 10 bytes")


def fields(buf: bytes, start: int, end: int):
    """Yield ``(field_number, wire_type, value)``; a LEN value is a ``(start, end)`` pair."""
    pos = start
    while pos < end:
        spend(1)
        key, pos = varint(buf, pos, end)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise OnnxFormatError("malformed protobuf: field number 0")
        if wire == VARINT:
            value, pos = varint(buf, pos, end)
        elif wire == LEN:
            length, pos = varint(buf, pos, end)
            if length > end - pos:
                raise OnnxFormatError(
                    f"truncated protobuf: field {number} claims {length} bytes, "
                    f"only {end - pos} remain"
                )
            value = (pos, pos + length)
            pos += length
        elif wire == I32:
            if pos + 4 > end:
                raise OnnxFormatError("truncated protobuf: a 32-bit field runs past the end")
            value = buf[pos : pos + 4]
            pos += 4
        elif wire == I64:
            if pos + 8 > end:
                raise OnnxFormatError("truncated protobuf: a 64-bit field runs past the end")
            value = buf[pos : pos + 8]
            pos += 8
        else:
            raise OnnxFormatError(f"malformed protobuf: unsupported wire type {wire}")
        yield number, wire, value


def to_int64(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def to_int32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


def string(buf: bytes, span: tuple[int, int], what: str) -> str:
    try:
        return bytes(buf[span[0] : span[1]]).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OnnxFormatError(f"malformed ONNX: {what} is not valid UTF-8") from exc


def need(wire: int, expected: int, what: str) -> None:
    if wire != expected:
        raise OnnxFormatError(f"malformed ONNX: {what} has wire type {wire}, expected {expected}")


def ints(
    buf: bytes,
    wire: int,
    value,
    out: list[int],
    signed32: bool = False,
    limit: int = MAX_LIST_VALUES,
    what: str = "an integer list",
) -> None:
    """Append a repeated integer field (packed or not) to ``out``."""
    conv = to_int32 if signed32 else to_int64
    if wire == VARINT:
        out.append(conv(value))
    elif wire == LEN:
        pos, end = value
        while pos < end:
            spend(1)
            v, pos = varint(buf, pos, end)
            out.append(conv(v))
            if len(out) > limit:
                break
    else:
        raise OnnxFormatError(f"malformed ONNX: integer list has wire type {wire}")
    if len(out) > limit:
        raise OnnxFormatError(f"{what} has more than {limit} values")


def floats(buf: bytes, wire: int, value, chunks: list, fmt: str) -> None:
    """Collect a repeated float/double field (packed or not) as NumPy chunks."""
    size = np.dtype(fmt).itemsize
    if len(chunks) >= MAX_LIST_VALUES:
        raise OnnxFormatError(
            f"a float list has more than {MAX_LIST_VALUES} parts; store large tensors as raw_data"
        )
    if wire == LEN:
        start, end = value
        if (end - start) % size:
            raise OnnxFormatError("malformed ONNX: packed float list has a partial element")
        chunks.append(np.frombuffer(buf, dtype=fmt, count=(end - start) // size, offset=start))
    elif (wire == I32 and size == 4) or (wire == I64 and size == 8):
        chunks.append(np.frombuffer(bytes(value), dtype=fmt))
    else:
        raise OnnxFormatError(f"malformed ONNX: float list has wire type {wire}")


# ---------------------------------------------------------------------------
