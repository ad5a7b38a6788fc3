"""Kernel parity: every primitive x dtype of the device interface has an OpenCL entry point
``<op>_<dtype>`` in ``kernels_cl/`` (and a CUDA one in ``kernels_cuda/`` once that folder has
kernel files), found by preprocessing each family file as its backend builds it: once per dtype
with ``-D GT_<dtype>``.

The preprocessor below knows enough C for the kernel files (``#include "..."``, object- and
function-like ``#define`` with ``##``, ``#undef``, ``#if``/``#ifdef``/``#elif``/``#else`` with
``defined``) and reads OpenCL C (``__kernel void name(``) and CUDA (``__global__ void name(``)
alike.
"""


from __future__ import annotations

import re
from pathlib import Path

import pytest

from gputensor import dtypes as dt
from gputensor.devices.backend import BINARY_OPS, PRIMITIVES, UNARY_OPS
from gputensor.kernels import FOLDERS, kernel_dir

_TOKEN = re.compile(
    r"""\s+|[A-Za-z_]\w*|\d[\w.]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|\#\#|\#|&&|\|\||[=!<>]=|<<|>>|."""
)
_KERNEL = re.compile(r"(?:__kernel|__global__)\s+void\s+(\w+)\s*\(")
_KERNEL_WORDS = frozenset({"__kernel", "kernel", "__global__"})


class PreprocessError(Exception):
    """An #error directive in an active region, or an unbalanced conditional."""


class Macro:
    def __init__(self, params, body):
        self.params = params  # None for object-like macros
        self.body = body


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _is_ident(token: str) -> bool:
    return token[:1].isalpha() or token[:1] == "_"


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _logical_lines(text: str) -> list[str]:
    return _strip_comments(text).replace("\\\n", " ").splitlines()


def _collect_args(tokens, start):
    """Arguments of a macro call whose '(' is at ``start``; returns (args, index of ')')."""
    depth = 0
    args = [[]]
    for i in range(start, len(tokens)):
        t = tokens[i]
        if t == "(":
            depth += 1
            if depth == 1:
                continue
        elif t == ")":
            depth -= 1
            if depth == 0:
                return args, i
        elif t == "," and depth == 1:
            args.append([])
            continue
        args[-1].append(t)
    raise PreprocessError("unterminated macro call")


def _next_nonspace(tokens, i, step):
    i += step
    while 0 <= i < len(tokens) and tokens[i].isspace():
        i += step
    return i


class Preprocessor:
    """Expands kernel sources with a set of predefined macros."""

    def __init__(self, folder: Path, defines: dict[str, str]):
        self.folder = folder
        self.macros = {name: Macro(None, _tokens(value)) for name, value in defines.items()}
        self._emits_memo: dict[int, bool] = {}

    def _emits(self, tokens, visiting=frozenset()) -> bool:
        """Whether expanding ``tokens`` can produce a kernel definition (lines that cannot,
        like ops.h's function instantiations, are not expanded)."""
        for t in tokens:
            if t in _KERNEL_WORDS:
                return True
            macro = self.macros.get(t)
            if macro is None or t in visiting:
                continue
            key = id(macro)
            if key not in self._emits_memo:
                self._emits_memo[key] = self._emits(macro.body, visiting | {t})
            if self._emits_memo[key]:
                return True
        return False

    # --- macro expansion -------------------------------------------------------------------
    def expand(self, tokens, hide=frozenset()):
        out = []
        i = 0
        while i < len(tokens):
            t = tokens[i]
            macro = self.macros.get(t) if _is_ident(t) and t not in hide else None
            if macro is None:
                out.append(t)
                i += 1
                continue
            if macro.params is None:
                out.extend(self.expand(macro.body, hide | {t}))
                i += 1
                continue
            j = _next_nonspace(tokens, i, 1)
            if j >= len(tokens) or tokens[j] != "(":
                out.append(t)
                i += 1
                continue
            args, end = _collect_args(tokens, j)
            out.extend(self.expand(self._substitute(macro, args, hide), hide | {t}))
            i = end + 1
        return out

    def _substitute(self, macro, args, hide):
        if len(macro.params) == 0 and args == [[]]:
            args = []
        values = {p: [tok for tok in a] for p, a in zip(macro.params, args)}
        body = macro.body
        result = []
        for k, t in enumerate(body):
            if t in values:
                before = _next_nonspace(body, k, -1)
                after = _next_nonspace(body, k, 1)
                pasted = (before >= 0 and body[before] == "##") or (after < len(body) and body[after] == "##")
                if pasted:
                    arg = [tok for tok in values[t] if not tok.isspace()]
                else:
                    arg = self.expand(values[t], hide)
                result.extend(arg if arg else [""])
            else:
                result.append(t)
        return self._paste(result)

    @staticmethod
    def _paste(tokens):
        out = []
        i = 0
        while i < len(tokens):
            if tokens[i] == "##":
                while out and out[-1].isspace():
                    out.pop()
                j = _next_nonspace(tokens, i, 1)
                right = tokens[j] if j < len(tokens) else ""
                out[-1] = out[-1] + right
                i = j + 1
                continue
            out.append(tokens[i])
            i += 1
        return [t for t in out if t != ""]

    # --- conditionals --------------------------------------------------------------------------
    def _evaluate(self, expr: str) -> bool:
        expr = re.sub(r"defined\s*\(\s*(\w+)\s*\)|defined\s+(\w+)",
                      lambda m: " 1 " if (m.group(1) or m.group(2)) in self.macros else " 0 ", expr)
        tokens = self.expand(_tokens(expr))
        words = []
        for t in tokens:
            if t.isspace():
                continue
            if _is_ident(t):
                words.append("0")
            elif t == "&&":
                words.append(" and ")
            elif t == "||":
                words.append(" or ")
            elif t == "!":
                words.append(" not ")
            elif t[:1].isdigit():
                words.append(re.sub(r"[uUlL]+$", "", t))
            else:
                words.append(t)
        return bool(eval("".join(words), {"__builtins__": {}}, {}))  # noqa: S307 (our own files)

    # --- files ---------------------------------------------------------------------------------
    def run(self, filename: str, seen=None) -> list[str]:
        """The expanded tokens of ``filename`` (includes resolved in the same folder)."""
        seen = set() if seen is None else seen
        out = []
        stack = []  # (active, branch taken) per open conditional
        for line in _logical_lines((self.folder / filename).read_text()):
            active = all(a for a, _ in stack)
            directive = re.match(r"\s*#\s*(\w+)\s*(.*)", line)
            if directive is None:
                tokens = _tokens(line + "\n")
                if active and self._emits(tokens):
                    out.extend(self.expand(tokens))
                continue
            name, rest = directive.group(1), directive.group(2).strip()
            if name in ("if", "ifdef", "ifndef"):
                if not active:
                    stack.append((False, True))
                    continue
                if name == "if":
                    value = self._evaluate(rest)
                else:
                    value = (rest.split()[0] in self.macros) == (name == "ifdef")
                stack.append((value, value))
            elif name in ("elif", "else"):
                if not stack:
                    raise PreprocessError(f"{filename}: #{name} without #if")
                _, taken = stack.pop()
                outer = all(a for a, _ in stack)
                value = not taken and outer and (name == "else" or self._evaluate(rest))
                stack.append((value, taken or value))
            elif name == "endif":
                if not stack:
                    raise PreprocessError(f"{filename}: #endif without #if")
                stack.pop()
            elif not active:
                continue
            elif name == "include":
                header = rest.strip('"<>')
                # system headers (<cuda_fp16.h>, ...) define no entry points: only ours are read
                if header not in seen and rest.startswith('"') and (self.folder / header).is_file():
                    seen.add(header)
                    out.extend(self.run(header, seen))
            elif name == "define":
                self._define(rest)
            elif name == "undef":
                self.macros.pop(rest.split()[0], None)
            elif name == "error":
                raise PreprocessError(f"{filename}: #error {rest}")
        if stack:
            raise PreprocessError(f"{filename}: unterminated #if")
        return out

    def _define(self, rest: str) -> None:
        match = re.match(r"(\w+)(\(([^)]*)\))?\s*(.*)", rest)
        name, params, body = match.group(1), match.group(3), match.group(4)
        if match.group(2) is not None:
            names = [p.strip() for p in params.split(",") if p.strip()]
            self.macros[name] = Macro(names, _tokens(body))
        else:
            self.macros[name] = Macro(None, _tokens(body))


def entry_points(folder: Path, filename: str, defines: dict[str, str]) -> set[str]:
    """The kernel names ``filename`` defines when built with ``defines`` (empty when the
    configuration is rejected with #error)."""
    try:
        tokens = Preprocessor(folder, defines).run(filename)
    except PreprocessError:
        return set()
    return set(_KERNEL.findall("".join(tokens)))


# --- what every backend's kernels must provide -------------------------------------------------

ALL = tuple(d.short for d in dt.ALL_DTYPES)
FLOATS = tuple(d.short for d in dt.FLOAT_DTYPES)
INTS = tuple(d.short for d in dt.INT_DTYPES)
BOOL = (dt.bool_.short,)

_INT_UNARY = ("negative", "positive", "abs", "sign", "square", "floor", "ceil", "trunc", "round",
              "logical_not", "bitwise_invert")
_COMPARE = ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal")
_LOGICAL = ("logical_and", "logical_or", "logical_xor")
_BITWISE = ("bitwise_and", "bitwise_or", "bitwise_xor")
_SHIFTS = ("bitwise_left_shift", "bitwise_right_shift")
_FLOAT_ONLY_BINARY = ("divide", "atan2", "hypot", "copysign", "nextafter", "logaddexp")


def _unary_pairs():
    """(op, dtype) pairs that reach ``unary``: the front end computes float functions of
    integers in float32 and keeps integers for the numeric, rounding and bitwise ones."""
    pairs = [(op, s) for op in UNARY_OPS if op != "bitwise_invert" for s in FLOATS]
    pairs += [(op, s) for op in _INT_UNARY for s in INTS]
    pairs += [(op, s) for op in ("logical_not", "bitwise_invert") for s in BOOL]
    return pairs


def _binary_pairs():
    """(op, dtype) pairs that reach ``binary`` (ops/binary.py's dtype rules)."""
    no_float = set(_LOGICAL + _BITWISE + _SHIFTS)
    pairs = [(op, s) for op in BINARY_OPS if op not in no_float for s in FLOATS]
    int_ops = set(BINARY_OPS) - set(_FLOAT_ONLY_BINARY) - set(_LOGICAL)
    pairs += [(op, s) for op in sorted(int_ops) for s in INTS]
    bool_ops = ("add", "multiply", "maximum", "minimum") + _COMPARE + _LOGICAL + _BITWISE
    pairs += [(op, s) for op in bool_ops for s in BOOL]
    return pairs


def _each(ops, dtypes):
    return [(op, s) for op in ops for s in dtypes]


# primitive -> the (entry-point name, dtype) pairs it needs; memory primitives need none.
REQUIRED = {
    "empty": [], "from_host": [], "to_host": [], "view": [],
    "contiguous": _each(["copy"], ALL),
    "copy_into": _each(["copy", "fill"], ALL),
    "full": _each(["fill"], ALL),
    "arange": _each(["arange"], ALL),
    "unary": _unary_pairs(),
    "binary": _binary_pairs(),
    "where": _each(["where"], ALL),
    "cast": [(f"cast_{src}", dst) for src in ALL for dst in ALL],
    "reduce": _each(["sum", "prod", "max", "min"], ALL),
    "arg_reduce": _each(["argmax", "argmin"], ALL),
    "scan": _each(["cumsum", "cumprod"], ALL),
    "matmul": _each(["matmul"], ALL),
    "gather": _each(["gather"], ALL),
    "scatter_add": _each(["scatter_add"], ALL),
    "scatter": _each(["scatter"], ALL),
    "random": _each(["uniform", "normal"], FLOATS) + _each(["integers"], INTS),
    "sort": _each(["sort"], ALL),
    "searchsorted": _each(["searchsorted"], ALL),
    "nonzero": _each(["nonzero"], ALL),
}

# per folder: the kernel file suffix and the macros its compiler predefines
_FLAVOURS = {
    "cl": (".cl", {"__OPENCL_VERSION__": "120", "cl_khr_fp64": "1"}),
    "cuda": (".cu", {"__CUDACC__": "1"}),
}


def defined_entry_points(folder: Path, suffix: str, predefined: dict) -> set[str]:
    """Every entry point of the folder's family files, over all dtype builds."""
    names = set()
    for path in sorted(folder.glob(f"*{suffix}")):
        names |= entry_points(folder, path.name, predefined)
        for short in ALL:
            names |= entry_points(folder, path.name, {**predefined, f"GT_{short}": "1"})
    return names


def missing_entry_points(names: set[str]) -> list[str]:
    return [f"{primitive}: {op}_{short}" for primitive, pairs in REQUIRED.items()
            for op, short in pairs if f"{op}_{short}" not in names]


def _folders():
    found = []
    for kind in FOLDERS:
        suffix, _ = _FLAVOURS[kind]
        if any(kernel_dir(kind).glob(f"*{suffix}")):
            found.append(kind)
    return found


def test_every_primitive_has_a_rule():
    assert set(REQUIRED) == set(PRIMITIVES), "a primitive was added or removed: update REQUIRED"


@pytest.mark.parametrize("kind", _folders())
def test_every_primitive_and_dtype_has_an_entry_point(kind):
    suffix, predefined = _FLAVOURS[kind]
    names = defined_entry_points(kernel_dir(kind), suffix, predefined)
    missing = missing_entry_points(names)
    assert not missing, f"kernels_{kind}/ lacks {len(missing)} entry points:\n" + "\n".join(missing)


def test_a_missing_entry_point_is_reported(tmp_path):
    """The check is not vacuous: drop one op from a copy of unary.cl and it is reported."""
    folder = kernel_dir("cl")
    for path in folder.iterdir():
        (tmp_path / path.name).write_text(path.read_text())
    unary = (tmp_path / "unary.cl").read_text()
    assert "UNARY_VEC(expm1)\n" in unary
    (tmp_path / "unary.cl").write_text(unary.replace("UNARY_VEC(expm1)\n", ""))
    suffix, predefined = _FLAVOURS["cl"]
    missing = missing_entry_points(defined_entry_points(tmp_path, suffix, predefined))
    assert missing == [f"unary: expm1_{s}" for s in FLOATS]


def test_the_preprocessor_pastes_and_selects(tmp_path):
    (tmp_path / "names.h").write_text("#define PASTE_(a, b) a##b\n#define PASTE(a, b) PASTE_(a, b)\n")
    (tmp_path / "k.cl").write_text(
        '#include "names.h"\n'
        "#if defined(GT_f32) && !defined(NO_EXP)\n#define SFX _f32\n#elif defined GT_i8\n#define SFX _i8\n"
        "#else\n#error no dtype\n#endif\n"
        "#define KERNEL(op) __kernel void PASTE(op, SFX)(__global float* x) {}\n"
        "#define abs builtin_abs\n"
        "KERNEL(exp##_x)\nKERNEL(sqrt)\n"
    )
    assert entry_points(tmp_path, "k.cl", {"GT_f32": "1"}) == {"exp_x_f32", "sqrt_f32"}
    assert entry_points(tmp_path, "k.cl", {"GT_i8": "1"}) == {"exp_x_i8", "sqrt_i8"}
    assert entry_points(tmp_path, "k.cl", {}) == set()
