# SPDX-License-Identifier: Apache-2.0
"""Reading an MLP from an ONNX file (as torch.onnx.export or tf2onnx writes one) with the ``onnx`` package.

The graph must be one chain of nodes from its one input to its one output:

- a layer is ``Gemm(x, B[, C])`` (``transB``, ``alpha`` and ``beta`` honoured,
  ``transA`` must be 0) or ``MatMul(x, W)`` with ``W`` in x out, each optionally
  followed by ``Add`` of a constant (the bias, PyTorch's and Keras's exporters
  write it so); weights and biases must be initializers, a bias of shape
  ``(out,)``, ``(1, out)`` or a scalar;
- a ``Relu`` between every two layers (the core applies ReLU after every layer
  but the last); after the last one a ``Relu`` or nothing (then ``relu`` is False:
  the last layer is linear);
- ``Identity`` and ``Dropout`` anywhere (identities at inference), and a
  ``Flatten`` (axis 1) before the first layer.

Anything else (Conv, Sigmoid, a second input, a branch, a weight computed by a
node, a node off the chain) is one :class:`EieError` line naming the node. Only
the ``onnx`` package reads the file (protobuf and ``onnx.numpy_helper``), no
runtime: nothing in the file is run.

QONNX: a ``Quant`` node (domain ``qonnx.custom_op...``, ``finn.custom_op...`` or
``onnx.brevitas``) whose four inputs (x, scale, zero point, bit width) are
initializers may give a layer its weight or bias; it is folded here as QONNX
defines it: ``(round(clip(x / scale + zero, min, max)) - zero) * scale`` with the
integer range of the bit width (1..16), ``signed`` and ``narrow``, and any of
QONNX's rounding modes. A Quant on the activations, or with settings outside
these, is refused in one line naming it. A layer whose weights and bias take at
most 15 distinct non-zero values (a 4-bit Quant with one scale, or weights
already folded) keeps those values as its codebook, not k-means centroids
(``eie.packing.compress.kmeans_codebook``). The file, and the sum of
the initializers the layers use, are held to :data:`eie.packing.model_io.MAX_ARRAY_BYTES`
before anything is converted; weights in external data files are refused.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from eie.errors import EieError
from eie.extras import require
from eie.packing import model_io
from eie.packing.model_io import Layer, as_bias, as_matrix, shown, size_text

_LAYERS = ("Gemm", "MatMul")
_NO_OPS = ("Identity", "Dropout")  # identities at inference
_WHAT_RUNS = "eie runs only Gemm or MatMul (+ Add) layers with Relu between them"
# QONNX's Quant: the domains its exporters (QONNX, FINN, Brevitas) write, and its rounding modes.
_QUANT_DOMAINS = ("qonnx.custom_op", "finn.custom_op", "onnx.brevitas")
_QUANT_MAX_BITS = 16  # a weight is a 16-bit fixed-point value in the core
_ROUNDING = {
    "ROUND": np.round, "HALF_EVEN": np.round, "CEIL": np.ceil, "FLOOR": np.floor, "DOWN": np.trunc,
    "UP": lambda v: np.sign(v) * np.ceil(np.abs(v)),
    "HALF_UP": lambda v: np.sign(v) * np.floor(np.abs(v) + 0.5),
    "HALF_DOWN": lambda v: np.sign(v) * np.ceil(np.abs(v) - 0.5),
}


def _is_quant(node) -> bool:
    return node.op_type == "Quant" and node.domain.startswith(_QUANT_DOMAINS)


def _import_onnx():
    require("onnx", "reading an .onnx model")
    import onnx
    from onnx import numpy_helper

    return onnx, numpy_helper


def _node_text(node, index: int) -> str:
    name = f"'{shown(node.name, 60)}'" if node.name else f"#{index} (unnamed)"
    return f"{shown(node.op_type, 40)} {name}"


class _Graph:
    """The model's graph with its initializers, read into Layers by walking the chain."""

    def __init__(self, path: Path, model, onnx, numpy_helper):
        self.path = path
        self.graph = model.graph
        self.onnx = onnx
        self.numpy_helper = numpy_helper
        self.initializers = {t.name: t for t in self.graph.initializer}
        self.budget = model_io.MAX_ARRAY_BYTES  # bytes of initializer data still allowed
        self.layers: list[Layer] = []
        self.layer_nodes: list[int] = []  # the node of each layer (its Gemm or MatMul)
        self.consumers: dict[str, list[int]] = {}
        # Quant nodes that may give a layer its weight or bias, by output; those folded.
        self.quant_outputs = {node.output[0]: index for index, node in enumerate(self.graph.node)
                              if _is_quant(node) and node.output}
        self.folded: dict[int, np.ndarray] = {}
        for index, node in enumerate(self.graph.node):
            for name in dict.fromkeys(node.input):  # a node reading a tensor twice is one consumer
                if name:
                    self.consumers.setdefault(name, []).append(index)

    def where(self, index: int) -> str:
        return f"{self.path}: {_node_text(self.graph.node[index], index)}"

    def fail(self, text: str, index: int):
        raise EieError(f"{self.where(index)}: {text}")

    def attribute(self, index: int, name: str, default: float) -> float:
        """The node's numeric attribute ``name`` (alpha, beta, transA, transB, axis), or ``default``."""
        for attr in self.graph.node[index].attribute:
            if attr.name == name:
                try:
                    value = self.onnx.helper.get_attribute_value(attr)
                except ValueError:
                    value = None
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    self.fail(f"its attribute {shown(name, 20)} is not a number", index)
                return value
        return default

    def constant(self, index: int, name: str) -> np.ndarray:
        """The initializer ``name``, an input of node ``index``, as a numpy array (or a
        QONNX Quant node's output over initializers, folded)."""
        if name not in self.initializers and name in self.quant_outputs:
            return self.fold_quant(self.quant_outputs[name])
        tensor = self.initializers.get(name)
        if tensor is None:
            self.fail(f"its input '{shown(name, 60)}' is not an initializer; eie reads only constant weights "
                      f"and biases", index)
        if tensor.data_location == self.onnx.TensorProto.EXTERNAL:
            self.fail(f"initializer '{shown(name, 60)}' is in an external data file; eie reads the weights only "
                      f"from the .onnx file itself", index)
        try:
            dtype = np.dtype(self.onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type))
        except (KeyError, TypeError, ValueError):
            dtype = np.dtype(object)
        if dtype.hasobject:
            self.fail(f"initializer '{shown(name, 60)}' is not a numeric tensor", index)
        if any(d < 0 for d in tensor.dims):
            self.fail(f"initializer '{shown(name, 60)}' has a negative dimension", index)
        need = math.prod(tensor.dims) * dtype.itemsize
        if need > self.budget:
            self.fail(f"its initializers take more than eie reads ({size_text(model_io.MAX_ARRAY_BYTES)} per model)",
                      index)
        self.budget -= need
        try:
            array = self.numpy_helper.to_array(tensor)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            self.fail(f"initializer '{shown(name, 60)}' cannot be read ({shown(exc, 80)})", index)
        if array.dtype.kind == "V":  # bfloat16 and the float8 types (ml_dtypes): all fit a float32
            array = array.astype(np.float32)
        return array

    def text_attribute(self, index: int, name: str, default: str) -> str:
        for attr in self.graph.node[index].attribute:
            if attr.name == name:
                value = self.onnx.helper.get_attribute_value(attr)
                if not isinstance(value, bytes):
                    self.fail(f"its attribute {shown(name, 20)} is not a string", index)
                return value.decode(errors="replace")
        return default

    def fold_quant(self, index: int) -> np.ndarray:
        """QONNX Quant node ``index`` over initializers, computed as QONNX defines it."""
        if index in self.folded:
            return self.folded[index]
        node = self.graph.node[index]
        if len(node.input) != 4:
            self.fail(f"has {len(node.input)} inputs, not 4 (x, scale, zero point, bit width)", index)
        x, scale, zero, bits = (self.constant(index, name) for name in node.input)
        if bits.size != 1 or not np.isfinite(bits).all() or bits.ravel()[0] != round(float(bits.ravel()[0])) \
                or not 1 <= bits.ravel()[0] <= _QUANT_MAX_BITS:
            self.fail(f"a bit width of {shown(bits.ravel()[:2].tolist(), 30)}; eie takes one whole number of bits, "
                      f"1..{_QUANT_MAX_BITS}", index)
        bits = int(bits.ravel()[0])
        signed, narrow = self.attribute(index, "signed", 1), self.attribute(index, "narrow", 0)
        if signed not in (0, 1) or narrow not in (0, 1):
            self.fail(f"signed = {signed}, narrow = {narrow}; each must be 0 or 1", index)
        mode = self.text_attribute(index, "rounding_mode", "ROUND").upper()
        if mode not in _ROUNDING:
            self.fail(f"rounding mode '{shown(mode, 20)}'; eie takes {', '.join(_ROUNDING)}", index)
        if not np.isfinite(scale).all() or not (scale > 0).all():
            self.fail("a scale that is not positive and finite", index)
        if not np.isfinite(zero).all() or not np.array_equal(zero, np.round(zero)):
            self.fail("a zero point that is not a whole number", index)
        try:
            np.broadcast_shapes(x.shape, scale.shape, zero.shape)
        except ValueError:
            self.fail(f"a scale of shape {scale.shape} or zero point of shape {zero.shape} does not fit "
                      f"x of shape {x.shape}", index)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            level = x / scale + zero
            if bits == 1 and signed:  # bipolar, as QONNX has it
                level = np.where(level >= 0, 1.0, -1.0)
            else:
                low = -(2 ** (bits - 1)) + narrow if signed else 0
                high = 2 ** (bits - 1) - 1 if signed else 2 ** bits - 1 - narrow
                level = _ROUNDING[mode](np.clip(level, low, high))
            folded = np.asarray((level - zero) * scale)
        if not np.isfinite(folded).all():
            self.fail("x holds a value that is NaN or Inf", index)
        self.folded[index] = folded
        return folded

    def check_inputs(self, index: int, tensor: str, counts: tuple[int, ...]) -> list[str]:
        node = self.graph.node[index]
        if len(node.input) not in counts:
            self.fail(f"has {len(node.input)} inputs, not {' or '.join(map(str, counts))}", index)
        if node.input[0] != tensor:
            self.fail("the activation must be its first input (the weight or bias second)", index)
        return list(node.input)

    def weight(self, index: int, name: str, out_by_in: bool) -> np.ndarray:
        """The initializer ``name`` as a float64 out x in matrix (``out_by_in``: it is stored so, else in x out)."""
        weight = self.constant(index, name)
        if weight.ndim != 2:
            self.fail(f"a weight of shape {weight.shape}, not a 2-D matrix", index)
        return as_matrix(weight if out_by_in else weight.T, f"{self.where(index)}: weight '{shown(name, 60)}'")

    def gemm(self, index: int, tensor: str) -> Layer:
        inputs = self.check_inputs(index, tensor, (2, 3))
        if self.attribute(index, "transA", 0):
            self.fail("transA = 1; eie reads layers whose activation is a row (batch x in)", index)
        # Gemm computes alpha * A @ B' + beta * C with B' = B.T when transB (B is then out x in).
        weight = self.weight(index, inputs[1], out_by_in=bool(self.attribute(index, "transB", 0)))
        layer = Layer(self.scaled(index, weight, "alpha"), None, relu=False)
        if len(inputs) == 3 and inputs[2]:
            self.add_bias(index, layer, inputs[2], "beta")
        return layer

    def scaled(self, index: int, values: np.ndarray, attribute: str) -> np.ndarray:
        """``values`` times the node's float ``attribute`` (Gemm's alpha or beta; 1 when absent)."""
        factor = self.attribute(index, attribute, 1.0)
        if factor == 1.0:
            return values
        with np.errstate(over="ignore", invalid="ignore"):
            values = values * float(factor)
        if not np.all(np.isfinite(values)):
            self.fail(f"{attribute} = {factor:g} takes a value beyond float64", index)
        return values

    def matmul(self, index: int, tensor: str) -> Layer:
        inputs = self.check_inputs(index, tensor, (2,))
        return Layer(self.weight(index, inputs[1], out_by_in=False), None, relu=False)

    def add_bias(self, index: int, layer: Layer, name: str, attribute: str | None = None) -> None:
        """Add the constant ``name`` (times Gemm's ``beta`` when ``attribute`` names it) to the layer's bias."""
        rows = layer.weight.shape[0]
        bias = self.constant(index, name)
        if bias.ndim > 2 or any(d != 1 for d in bias.shape[:-1]) or (bias.ndim and bias.shape[-1] not in (1, rows)):
            self.fail(f"a bias of shape {bias.shape} is not one value per output of the layer's {rows}", index)
        bias = as_bias(np.broadcast_to(bias.reshape(-1), (rows,)), f"{self.where(index)}: bias '{shown(name, 60)}'",
                       rows)
        if attribute:
            bias = self.scaled(index, bias, attribute)
        if layer.bias is not None:  # a Gemm's C and an Add after it, or two Adds
            with np.errstate(over="ignore"):
                bias = layer.bias + bias
            if not np.all(np.isfinite(bias)):
                self.fail("the layer's biases add up to a value beyond float64", index)
        layer.bias = bias

    def check_flatten(self, index: int) -> None:
        if self.attribute(index, "axis", 1) != 1:
            self.fail("a Flatten with an axis other than 1; eie reads a batch of flat input vectors", index)

    def walk(self) -> list[Layer]:
        """Follow the chain from the input to the output, one node at a time."""
        initialized = set(self.initializers)
        # Old exporters list the initializers among the inputs too. The data comes first;
        # a weight given as a further input is named below by the node that reads it.
        inputs = [i.name for i in self.graph.input if i.name not in initialized]
        if not inputs or len(self.graph.output) != 1 or not self.graph.node:
            raise EieError(f"{self.path}: the graph has {len(inputs)} input(s), {len(self.graph.output)} output(s) "
                           f"and {len(self.graph.node)} node(s); eie reads a chain of layers from one input to one "
                           f"output")
        output = self.graph.output[0].name
        tensor, visited = inputs[0], []
        while True:
            users = self.consumers.get(tensor, [])
            if tensor == output and users:
                self.fail(f"reads the graph's output '{shown(tensor, 60)}'; eie runs a chain of layers, not a "
                          f"branching graph", users[0])
            if tensor == output:
                break
            if len(users) > 1:
                self.fail(f"tensor '{shown(tensor, 60)}' feeds {len(users)} nodes; eie runs a chain of layers, not a "
                          f"branching graph", users[1])
            if not users:
                raise EieError(f"{self.path}: tensor '{shown(tensor, 60)}' leads nowhere: the chain from the input "
                               f"does not reach the output '{shown(output, 60)}'")
            if users[0] in visited:
                self.fail("closes a cycle in the graph", users[0])
            visited.append(users[0])
            tensor = self.step(users[0], tensor)
        stray = next((k for k in range(len(self.graph.node)) if k not in visited and k not in self.folded), None)
        if stray is not None:
            self.fail("is not on the chain of layers from the input to the output", stray)
        if len(inputs) > 1:
            raise EieError(f"{self.path}: the graph has {len(inputs)} inputs ('{shown(inputs[1], 60)}' unused); "
                           f"eie reads a chain of layers from one input")
        if not self.layers:
            raise EieError(f"{self.path}: no Gemm or MatMul layer on the chain from the input to the output")
        self.check_io_shapes(inputs[0], output)
        return self.layers

    def step(self, index: int, tensor: str) -> str:
        """Take node ``index``, which reads the chain's ``tensor``, into the layers; returns the node's output."""
        node = self.graph.node[index]
        op = node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}.{node.op_type}"
        layers = self.layers
        if op in _LAYERS:
            if layers and not layers[-1].relu:
                self.fail("follows a layer without a Relu between them; the core applies ReLU after every layer "
                          "but the last", index)
            layer = self.gemm(index, tensor) if op == "Gemm" else self.matmul(index, tensor)
            if layers and layer.weight.shape[1] != layers[-1].weight.shape[0]:
                self.fail(f"takes {layer.weight.shape[1]} inputs but the layer before gives "
                          f"{layers[-1].weight.shape[0]} outputs", index)
            layers.append(layer)
            self.layer_nodes.append(index)
        elif op in ("Add", "Relu") and not layers:
            self.fail("comes before any layer; the network must start with a Gemm or MatMul", index)
        elif op == "Add" and not layers[-1].relu and len(node.input) == 2:
            self.add_bias(index, layers[-1], node.input[1] if node.input[0] == tensor else node.input[0])
        elif op == "Add":
            self.fail("an Add that is not a layer's bias (a bias is added right after its Gemm or MatMul)", index)
        elif op == "Relu":
            layers[-1].relu = True
        elif op == "Flatten" and not layers:
            self.check_flatten(index)
        elif _is_quant(node):
            self.fail(f"quantises the activations: {_WHAT_RUNS}, and Quant only on their weights and biases "
                      f"(activations are 16-bit fixed point)", index)
        elif op not in _NO_OPS:
            self.fail(f"{_WHAT_RUNS} (and Identity, Dropout, a Flatten before the first layer)", index)
        if not node.output:
            self.fail("has no output", index)
        return node.output[0]

    def check_io_shapes(self, input_name: str, output_name: str) -> None:
        """The declared input and output widths, where the file gives them, against the first and last layer."""
        declared = {v.name: v for v in (*self.graph.input, *self.graph.output)}
        ends = ((input_name, self.layers[0].weight.shape[1], "input", "takes", self.layer_nodes[0]),
                (output_name, self.layers[-1].weight.shape[0], "output", "gives", self.layer_nodes[-1]))
        for name, width, kind, verb, index in ends:
            dims = declared[name].type.tensor_type.shape.dim
            sizes = [d.dim_value if d.HasField("dim_value") else None for d in dims[1:]]
            if sizes and None not in sizes and math.prod(sizes) != width:
                self.fail(f"{verb} {width} features but the graph's {kind} '{shown(name, 60)}' has "
                          f"{math.prod(sizes)} per batch row", index)


def load_onnx(path) -> list[Layer]:
    """The layers of an ONNX MLP (see the module's docstring); every problem is one EieError line."""
    path = Path(path)
    onnx, numpy_helper = _import_onnx()
    from google.protobuf.message import DecodeError  # protobuf comes with onnx
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            if size > model_io.MAX_ARRAY_BYTES:
                raise EieError(f"{path}: an ONNX file of {size_text(size)} is more than eie reads "
                               f"({size_text(model_io.MAX_ARRAY_BYTES)} per model)")
            f.seek(0)
            data = f.read()
    except OSError as exc:
        raise EieError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        model = onnx.load_model_from_string(data)
    except (DecodeError, ValueError, TypeError, RuntimeError) as exc:
        raise EieError(f"{path}: not a readable ONNX file ({shown(exc, 100)})") from None
    try:
        return _Graph(path, model, onnx, numpy_helper).walk()
    except RecursionError:
        raise EieError(f"{path}: not a readable ONNX file (nested too deep)") from None
