"""Plain-Python references for dataset transformations, and helpers to read datasets back."""

from __future__ import annotations

import numpy as np


def values(dataset):
    """Every element of ``dataset`` as Python values (nested lists, tuples, dicts)."""
    return [to_python(e) for e in dataset]


def to_python(element):
    if isinstance(element, dict):
        return {k: to_python(v) for k, v in element.items()}
    if isinstance(element, (tuple, list)):
        return type(element)(to_python(v) for v in element)
    if isinstance(element, np.ndarray):
        return element.tolist()
    if hasattr(element, "tolist"):
        return element.tolist()
    return element


def batch(items, size, drop_remainder=False):
    out = [items[i:i + size] for i in range(0, len(items), size)]
    if drop_remainder and out and len(out[-1]) < size:
        out.pop()
    return out


def interleave(items, fn, cycle_length, block_length):
    """tf.data's interleave over Python lists: ``fn(item)`` returns a list."""
    pending = list(items)
    slots = [None] * cycle_length
    out = []
    exhausted = False
    while not exhausted or any(s is not None for s in slots):
        for i in range(cycle_length):
            while True:
                if slots[i] is None:
                    if not pending:
                        exhausted = True
                        break
                    slots[i] = list(fn(pending.pop(0)))
                if not slots[i]:
                    slots[i] = None
                    continue
                out.extend(slots[i][:block_length])
                slots[i] = slots[i][block_length:]
                break
    return out


def shuffle(items, buffer_size, draws, permutation):
    """The buffered shuffle element by element: ``draws`` are the slot numbers drawn once
    the buffer is full, ``permutation`` orders what is left at the end."""
    buffer = list(items[:buffer_size])
    out = []
    for new, slot in zip(items[buffer_size:], draws):
        out.append(buffer[slot])
        buffer[slot] = new
    out.extend(buffer[i] for i in permutation)
    return out
