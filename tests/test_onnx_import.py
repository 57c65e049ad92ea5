# SPDX-License-Identifier: Apache-2.0
"""ONNX models: built with onnx.helper as torch.onnx.export and tf2onnx write them, packed by ``eie pack``,
and ``eie ref`` against numpy's float forward pass; every refusal is one line naming the node."""

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from eie.image import load
from eie.packing import model_io
from eie.packing.model_io import load_model
from model_check import assert_ref_matches_float, grid_mlp  # noqa: E402
from test_model_input_errors import assert_refused  # noqa: E402


def save(path, nodes, initializers: dict, inputs=(("x", ["N", 6]),), outputs=(("y", ["N", 3]),), check=True):
    """An ONNX model of ``nodes`` over float32 ``initializers``; checked by onnx's own checker unless told not."""
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape) for name, shape in inputs],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape) for name, shape in outputs],
        [numpy_helper.from_array(np.asarray(array), name) for name, array in initializers.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    if check:
        onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def torch_style(path, layers, last_relu: bool):
    """torch.onnx.export of nn.Sequential(Flatten, Linear, ReLU, Linear, ...): Gemm with transB = 1."""
    nodes = [helper.make_node("Flatten", ["input"], ["/0/Flatten_output_0"], name="/0/Flatten", axis=1)]
    tensor, inits = "/0/Flatten_output_0", {}
    for k, (weight, bias) in enumerate(layers):
        inits[f"{k}.weight"], inits[f"{k}.bias"] = weight, bias
        nodes.append(helper.make_node("Gemm", [tensor, f"{k}.weight", f"{k}.bias"], [f"/{k}/Gemm_output_0"],
                                      name=f"/{k}/Gemm", alpha=1.0, beta=1.0, transB=1))
        tensor = f"/{k}/Gemm_output_0"
        if k < len(layers) - 1 or last_relu:
            nodes.append(helper.make_node("Relu", [tensor], [f"/{k}/Relu_output_0"], name=f"/{k}/Relu"))
            tensor = f"/{k}/Relu_output_0"
    nodes[-1].output[0] = "output"
    inputs = (("input", ["batch", 2, layers[0][0].shape[1] // 2]),)
    return save(path, nodes, inits, inputs, (("output", ["batch", layers[-1][0].shape[0]]),))


def keras_style(path, layers, last_relu: bool):
    """tf2onnx of Dense layers: MatMul by the kernel (in x out), Add of the bias, Relu; Identity and Dropout between."""
    nodes, tensor, inits = [], "dense_input", {}
    for k, (weight, bias) in enumerate(layers):
        inits[f"dense_{k}/kernel"], inits[f"dense_{k}/bias"] = weight.T.copy(), bias
        nodes += [helper.make_node("MatMul", [tensor, f"dense_{k}/kernel"], [f"mm{k}"], name=f"dense_{k}/MatMul"),
                  helper.make_node("Add", [f"dense_{k}/bias", f"mm{k}"], [f"add{k}"], name=f"dense_{k}/BiasAdd")]
        tensor = f"add{k}"
        if k < len(layers) - 1 or last_relu:
            nodes.append(helper.make_node("Relu", [tensor], [f"relu{k}"], name=f"dense_{k}/Relu"))
            tensor = f"relu{k}"
        if k == 0:
            nodes += [helper.make_node("Identity", [tensor], ["id0"], name="identity"),
                      helper.make_node("Dropout", ["id0"], ["drop0"], name="dropout")]
            tensor = "drop0"
    nodes.append(helper.make_node("Identity", [tensor], ["dense_out"], name="output_identity"))
    return save(path, nodes, inits, (("dense_input", ["N", layers[0][0].shape[1]]),),
                (("dense_out", ["N", layers[-1][0].shape[0]]),))


def scaled_gemm(path, layers, last_relu: bool):
    """Gemm with transB = 0 (B in x out), alpha = 0.5 and beta = 4: the file holds 2 W.T and b / 4."""
    nodes, tensor, inits = [], "x", {}
    for k, (weight, bias) in enumerate(layers):
        inits[f"B{k}"], inits[f"C{k}"] = 2 * weight.T, (bias / 4)[None, :]
        nodes.append(helper.make_node("Gemm", [tensor, f"B{k}", f"C{k}"], [f"g{k}"], name=f"gemm{k}",
                                      alpha=0.5, beta=4.0))
        tensor = f"g{k}"
        if k < len(layers) - 1 or last_relu:
            nodes.append(helper.make_node("Relu", [tensor], [f"r{k}"], name=f"relu{k}"))
            tensor = f"r{k}"
    nodes[-1].output[0] = "y"
    return save(path, nodes, inits, (("x", ["N", layers[0][0].shape[1]]),), (("y", ["N", layers[-1][0].shape[0]]),))


@pytest.mark.parametrize("build", [torch_style, keras_style, scaled_gemm])
@pytest.mark.parametrize("last_relu", [False, True], ids=["linear-last", "relu-last"])
def test_eie_ref_matches_float_forward(tmp_path, run_cli, build, last_relu):
    layers = grid_mlp([6, 10, 8, 3], seed=11)
    model = build(tmp_path / "m.onnx", layers, last_relu)
    assert_ref_matches_float(run_cli, tmp_path, model, layers, [True, True, last_relu])


def test_gemm_without_bias_and_matmul_without_add(tmp_path, run_cli):
    layers = grid_mlp([6, 5, 3], seed=12, bias=False)
    nodes = [helper.make_node("Gemm", ["x", "W0"], ["h"], name="g", transB=1),
             helper.make_node("Relu", ["h"], ["r"], name="r"),
             helper.make_node("MatMul", ["r", "W1"], ["y"], name="m")]
    model = save(tmp_path / "m.onnx", nodes, {"W0": layers[0][0], "W1": layers[1][0].T.copy()})
    assert_ref_matches_float(run_cli, tmp_path, model, layers, [True, False])


def test_quantised_weights_keep_their_values(tmp_path, run_cli):
    """QONNX-style weights folded into the initializers: a scale (not a power of two) times 4-bit integers.
    At most 15 distinct non-zero values per layer (bias included) are the layer's codebook, as they are."""
    rng = np.random.default_rng(4)
    scales = [0.0371, 0.0219]
    ints = [rng.integers(-8, 8, size=(9, 6)), rng.integers(-8, 8, size=(3, 9))]
    weights = [(q * s).astype(np.float32) for q, s in zip(ints, scales)]
    bias = (rng.integers(-8, 8, size=9) * scales[0]).astype(np.float32)
    nodes = [helper.make_node("Gemm", ["x", "W0", "b0"], ["h"], name="fc1", transB=1),
             helper.make_node("Relu", ["h"], ["r"], name="relu1"),
             helper.make_node("Gemm", ["r", "W1"], ["y"], name="fc2", transB=1)]
    model = save(tmp_path / "m.onnx", nodes, {"W0": weights[0], "b0": bias, "W1": weights[1]})
    code, _, err = run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2)
    assert code == 0, err
    for layer, values in zip(load(tmp_path / "img").layers, [np.concatenate([weights[0].ravel(), bias]), weights[1]]):
        distinct = np.unique(values[values != 0].astype(np.float64))
        assert distinct.size <= 15
        assert np.array_equal(layer.spec.codebook_float[1 : 1 + distinct.size], distinct)


QONNX = "qonnx.custom_op.general"


def quant_node(name: str, x: str, scale: str, output: str, **attrs):
    """QONNX's Quant(x, scale, zero point, bit width) over initializers; zero point 0 and 4 bits by default."""
    return helper.make_node("Quant", [x, scale, "zero", attrs.pop("bits", "bits4")], [output], name=name,
                            domain=QONNX, **{"signed": 1, "narrow": 0, "rounding_mode": "ROUND", **attrs})


def test_qonnx_quant_weights_are_packed_as_they_are(tmp_path, run_cli):
    """Quant nodes (4 bits, signed) on a Gemm's weight and bias and on a MatMul's kernel: eie folds
    them as QONNX does and keeps the at most 15 values per layer as its codebook, so the packed
    weights are exactly the integers times the scale, and eie ref follows numpy's forward pass."""
    rng = np.random.default_rng(21)
    scales = [2.0**-3, 2.0**-4]  # powers of two: the folded values are exact fixed-point weights
    levels = [rng.integers(-8, 8, size=(9, 6)), rng.integers(-8, 8, size=9), rng.integers(-8, 8, size=(3, 9))]
    levels[0][0, :2] = [11, -13]  # beyond the 4-bit range: Quant clips them to 7 and -8
    expected = [np.clip(q, -8, 7) for q in levels]
    # The stored floats lie within 0.45 of a level, so rounding decides which.
    raw = [((q + rng.uniform(-0.45, 0.45, size=q.shape)) * s).astype(np.float32)
           for q, s in zip(levels, [scales[0], scales[0], scales[1]])]
    nodes = [quant_node("q_fc1_w", "W0", "s0", "W0q"), quant_node("q_fc1_b", "b0", "s0", "b0q"),
             helper.make_node("Gemm", ["x", "W0q", "b0q"], ["h"], name="fc1", transB=1),
             helper.make_node("Relu", ["h"], ["r"], name="relu1"),
             quant_node("q_fc2_w", "K1", "s1", "K1q"),
             helper.make_node("MatMul", ["r", "K1q"], ["y"], name="fc2")]
    inits = {"W0": raw[0], "b0": raw[1], "K1": raw[2].T.copy(), "s0": np.float32(scales[0]),
             "s1": np.float32(scales[1]), "zero": np.float32(0), "bits4": np.float32(4)}
    model = save(tmp_path / "m.onnx", nodes, inits, check=False)
    layers = [(expected[0] * scales[0], expected[1] * scales[0]), (expected[2] * scales[1], None)]
    assert_ref_matches_float(run_cli, tmp_path, model, layers, [True, False])
    for packed, (weight, bias) in zip(load(tmp_path / "img").layers, layers):
        values = np.concatenate([weight.ravel(), [] if bias is None else bias])
        distinct = np.unique(values[values != 0])
        assert np.array_equal(packed.spec.codebook_float[1 : 1 + distinct.size], distinct)


def test_layers_and_relus_as_the_graph_says(tmp_path):
    layers = grid_mlp([6, 4, 3], seed=13)
    read = load_model(torch_style(tmp_path / "m.onnx", layers, last_relu=False))
    assert [layer.relu for layer in read] == [True, False]
    assert all(np.array_equal(got.weight, w) and np.array_equal(got.bias, b) for got, (w, b) in zip(read, layers))


# ------------------------------------------------------------------------------ refusals
def _gemm(name="fc", inputs=("x", "W", "b"), output="h", **attrs):
    return helper.make_node("Gemm", list(inputs), [output], name=name, transB=1, **attrs)


W, B = np.ones((4, 6), np.float32), np.ones(4, np.float32)
W2 = np.ones((3, 4), np.float32)


def _two_layers(between: list, inits=None, **kw):
    """Gemm 'fc' -> ``between`` (from h to h2) -> Gemm 'fc2' -> y."""
    nodes = [_gemm(), *between, _gemm("fc2", ("h2", "W2"), "y")]
    return nodes, inits or {"W": W, "b": B, "W2": W2}, kw


REFUSED = {
    "conv": ([helper.make_node("Conv", ["x", "W"], ["y"], name="conv1")], {"W": np.ones((3, 6, 1, 1), np.float32)},
             {"inputs": (("x", ["N", 6, 1, 1]),)}, ["Conv 'conv1'", "only Gemm or MatMul"]),
    "sigmoid": (*_two_layers([helper.make_node("Sigmoid", ["h"], ["h2"], name="act")]), ["Sigmoid 'act'"]),
    "no relu between": (*_two_layers([helper.make_node("Identity", ["h"], ["h2"], name="id")]),
                        ["Gemm 'fc2'", "without a Relu between"]),
    "branch": ([_gemm(), helper.make_node("Relu", ["h"], ["h2"], name="relu"),
                _gemm("fc2", ("h2", "W2"), "y2"), _gemm("side", ("h2", "W2"), "y3"),
                helper.make_node("Add", ["y2", "y3"], ["y"], name="join")],
               {"W": W, "b": B, "W2": W2}, {}, ["Gemm 'side'", "not a branching graph"]),
    "residual add": ([_gemm(), helper.make_node("Relu", ["h"], ["h2"], name="relu"),
                      _gemm("fc2", ("h2", "W3"), "h3"), helper.make_node("Add", ["h3", "h2"], ["y"], name="skip")],
                     {"W": W, "b": B, "W3": np.ones((4, 4), np.float32)}, {"outputs": (("y", ["N", 4]),)},
                     ["Add 'skip'", "not a branching graph"]),
    "weight is an input": ([_gemm(inputs=("x", "W"), output="y")], {},
                           {"inputs": (("x", ["N", 6]), ("W", [3, 6]))}, ["Gemm 'fc'", "'W' is not an initializer"]),
    "second input": ([_gemm(output="y")], {"W": np.ones((3, 6), np.float32), "b": np.ones(3, np.float32)},
                     {"inputs": (("x", ["N", 6]), ("z", ["N", 6]))}, ["2 inputs", "'z' unused"]),
    "weight from a node": ([helper.make_node("Transpose", ["Wt"], ["W"], name="tr"), _gemm(inputs=("x", "W"), output="y")],
                           {"Wt": np.ones((6, 3), np.float32)}, {}, ["Gemm 'fc'", "'W' is not an initializer"]),
    "weight not 2-D": ([helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")],
                       {"W": np.ones((2, 6, 3), np.float32)}, {"check": False}, ["MatMul 'mm'", "not a 2-D matrix"]),
    "activation second": ([helper.make_node("MatMul", ["W", "x"], ["y"], name="mm")],
                          {"W": np.ones((3, 6), np.float32)}, {"check": False}, ["MatMul 'mm'", "first input"]),
    "transA": ([_gemm(output="y", transA=1)], {"W": np.ones((3, 6), np.float32), "b": np.ones(3, np.float32)},
               {"inputs": (("x", [6, "N"]),)}, ["Gemm 'fc'", "transA"]),
    "bias shape": ([_gemm(output="y")], {"W": np.ones((3, 6), np.float32), "b": np.ones((2, 3), np.float32)},
                   {}, ["Gemm 'fc'", "a bias of shape (2, 3)"]),
    "mismatched layers": (*_two_layers([helper.make_node("Relu", ["h"], ["h2"], name="relu")],
                                       {"W": W, "b": B, "W2": np.ones((3, 5), np.float32)}, check=False),
                          ["Gemm 'fc2'", "takes 5 inputs but the layer before gives 4"]),
    "input width": ([_gemm(output="y")], {"W": np.ones((3, 5), np.float32), "b": np.ones(3, np.float32)},
                    {"check": False}, ["Gemm 'fc'", "takes 5 features but the graph's input 'x' has 6"]),
    "relu first": ([helper.make_node("Relu", ["x"], ["r"], name="pre"), _gemm(inputs=("r", "W", "b"), output="y")],
                   {"W": np.ones((3, 6), np.float32), "b": np.ones(3, np.float32)}, {}, ["Relu 'pre'", "comes before any layer"]),
    "stray node": ([_gemm(output="y", inputs=("x", "W", "b")), helper.make_node("Relu", ["W"], ["z"], name="lost")],
                   {"W": np.ones((3, 6), np.float32), "b": np.ones(3, np.float32)}, {"check": False},
                   ["Relu 'lost'", "not on the chain"]),
    "custom domain": ([helper.make_node("Quant", ["x", "s", "z", "bits"], ["q"], name="q0", domain="qonnx.custom_op"),
                       _gemm(inputs=("q", "W", "b"), output="y")],
                      {"s": np.float32(1), "z": np.float32(0), "bits": np.float32(4), "W": np.ones((3, 6), np.float32),
                       "b": np.ones(3, np.float32)}, {"check": False}, ["Quant 'q0'", "only Gemm or MatMul"]),
    **{f"quant {what}": ([quant_node("qw", "Wf", scale, "W", **attrs), _gemm(output="y")],
                         {"Wf": np.ones((3, 6), np.float32), "b": np.ones(3, np.float32), "zero": np.float32(zero),
                          "bits4": np.float32(4), "bits": np.float32(bits), "s": np.float32(0.5),
                          "s0": np.float32(0)}, {"check": False, **extra}, ["Quant 'qw'", *words])
       for what, scale, zero, bits, attrs, extra, words in [
           ("bit width", "s", 0, 4.5, {"bits": "bits"}, {}, ["bit width", "whole number of bits"]),
           ("wide", "s", 0, 24, {"bits": "bits"}, {}, ["bit width", "1..16"]),
           ("rounding", "s", 0, 4, {"rounding_mode": "STOCHASTIC"}, {}, ["rounding mode 'STOCHASTIC'"]),
           ("scale", "s0", 0, 4, {}, {}, ["scale that is not positive"]),
           ("zero point", "s", 0.5, 4, {}, {}, ["zero point that is not a whole number"]),
           ("computed scale", "t", 0, 4, {}, {"inputs": (("x", ["N", 6]), ("t", [1]))},
            ["'t' is not an initializer"]),
       ]},
    "add after relu": (*_two_layers([helper.make_node("Relu", ["h"], ["r"], name="relu"),
                                     helper.make_node("Add", ["r", "b"], ["h2"], name="shift")]),
                       ["Add 'shift'", "not a layer's bias"]),
    "no layer": ([helper.make_node("Identity", ["x"], ["y"], name="id")], {}, {"outputs": (("y", ["N", 6]),)},
                 ["no Gemm or MatMul layer"]),
    "output read again": ([_gemm(output="y", inputs=("x", "W", "b")), helper.make_node("Relu", ["y"], ["z"], name="late")],
                          {"W": np.ones((3, 6), np.float32), "b": np.ones(3, np.float32)}, {"check": False},
                          ["Relu 'late'", "reads the graph's output 'y'"]),
    "nan weight": ([_gemm(output="y")], {"W": np.full((3, 6), np.nan, np.float32), "b": np.ones(3, np.float32)}, {},
                   ["Gemm 'fc': weight 'W'", "NaN or Inf"]),
    "alpha beyond float64": ([_gemm(output="y", alpha=1e38)], {"W": np.full((3, 6), 1e300), "b": np.ones(3)},
                             {"check": False}, ["Gemm 'fc'", "alpha = 1e+38 takes a value beyond float64"]),
    "text attribute": ([_gemm(output="y", alpha="big")], {"W": np.ones((3, 6), np.float32), "b": np.ones(3, np.float32)},
                       {"check": False}, ["Gemm 'fc'", "attribute alpha is not a number"]),
    "string weight": ([_gemm(output="y")], {"W": np.array([[b"w"] * 6] * 3, dtype=object), "b": np.ones(3, np.float32)},
                      {"check": False}, ["Gemm 'fc'", "initializer 'W' is not a numeric tensor"]),
    "cycle": ([_gemm(), helper.make_node("Identity", ["h"], ["x"], name="back")], {"W": W, "b": B}, {"check": False},
              ["Gemm 'fc'", "closes a cycle"]),
}


@pytest.mark.bad_input
@pytest.mark.parametrize("case", REFUSED)
def test_refused_in_one_line(tmp_path, run_cli, case):
    nodes, inits, kw, words = REFUSED[case]
    model = save(tmp_path / "m.onnx", nodes, inits, **kw)
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), str(model), *words,
                   outputs=[tmp_path / "img"])


@pytest.mark.bad_input
@pytest.mark.parametrize("data, words", [
    (b"this is not a protobuf at all", ["not a readable ONNX file"]),
    (b"", ["0 input(s)"]),
], ids=["garbage", "empty"])
def test_not_an_onnx_file(tmp_path, run_cli, data, words):
    model = tmp_path / "m.onnx"
    model.write_bytes(data)
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), *words, outputs=[tmp_path / "img"])


@pytest.mark.bad_input
def test_file_beyond_the_cap(tmp_path, run_cli, monkeypatch):
    model = torch_style(tmp_path / "m.onnx", grid_mlp([6, 10, 8, 3], seed=11), last_relu=False)
    monkeypatch.setattr(model_io, "MAX_ARRAY_BYTES", 500)
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), "an ONNX file of", "more than eie reads")


@pytest.mark.bad_input
@pytest.mark.parametrize("dims, words", [([10**6, 10**6], ["Gemm '/0/Gemm'", "more than eie reads"]),
                                         ([1000, 6], ["Gemm '/0/Gemm'", "'0.weight' cannot be read"])],
                         ids=["huge", "short"])
def test_initializer_claims_more_than_its_data(tmp_path, run_cli, dims, words):
    """An initializer's dims are checked against the cap before numpy_helper makes an array of them."""
    model = torch_style(tmp_path / "m.onnx", grid_mlp([6, 3], seed=1), last_relu=False)
    loaded = onnx.load(model)
    weight = next(t for t in loaded.graph.initializer if t.name == "0.weight")
    del weight.dims[:]
    weight.dims.extend(dims)
    onnx.save(loaded, model)
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), *words, outputs=[tmp_path / "img"])


@pytest.mark.bad_input
def test_external_weights(tmp_path, run_cli):
    layers = grid_mlp([6, 3], seed=1)
    model = torch_style(tmp_path / "m.onnx", layers, last_relu=False)
    loaded = onnx.load(model)
    onnx.save(loaded, model, save_as_external_data=True, all_tensors_to_one_file=True, location="w.bin",
              size_threshold=0)
    assert_refused(run_cli("pack", model, "-o", tmp_path / "img", "--pes", 2), "external data file")
