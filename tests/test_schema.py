"""The parameter schema: options and sweep names generated from the dataclasses, values checked with units."""

from __future__ import annotations

import dataclasses

import pytest
from brian2 import Hz, Quantity, ms, mV, nA

from edsnn.cli import _join_values, build_parser, config_from_args
from edsnn.config import KINDS, SYNAPSES, TrainConfig, schema
from edsnn.config.train import RUN_FIELDS
from edsnn.model import LIFParameters, ReferenceInputLIF
from edsnn.networks import NETWORKS
from edsnn.protocols.sweep_spec import SweepSpecError, parse_spec
from edsnn.units import QuantityParameters, physical

#: Every option of ``edsnn train`` before the schema generated them: each must keep working.
OLD_OPTIONS = (
    "--dataset --mnist --fashion --data --data-dir --train --test --epochs --sampling --seed --device "
    "--batch-size --hidden --model --lr --ami --dif --sig --w1 --w2 --count-prior --sign-rule --diffusion "
    "--bias --no-bias --input-activity --prior-scope --activity-max-rate --v-rest --v-threshold --v-reset "
    "--tau-m --tau-ref --R-m --I-bias --synapse --tau-syn --w-unit --spike-max-rate --presentation --rest "
    "--dt --pairs --spike_max_rate --spike_sim_time --spike_dt --out --resume --overwrite --record-spikes "
    "--no-progress --viz --heatmap"
).split()


def parse(*options) -> TrainConfig:
    parser = build_parser()
    return config_from_args(parser.parse_args(_join_values(parser, ["train", *options])))


def train_options(parser) -> set:
    train = parser._subparsers._group_actions[0].choices["train"]
    return {o for action in train._actions for o in action.option_strings}


def test_every_field_is_an_option_and_a_sweep_name():
    options = train_options(build_parser())
    assert set(OLD_OPTIONS) <= options
    sections = {"input_neuron": [ReferenceInputLIF], "ed": [type(TrainConfig().ed)],
                "coding": [type(TrainConfig().coding)], "stdp": [type(TrainConfig().stdp)],
                "diehl_cook": [type(TrainConfig().diehl_cook)], "dc_excitatory": [type(TrainConfig().dc_excitatory)],
                **{k: list(v.values()) for k, v in KINDS.items()}}
    expected = [f.name for f in dataclasses.fields(TrainConfig) if f.name not in sections and f.name != "neurons"]
    for section, classes in sections.items():
        expected += sorted({f"{section}.{f.name}" for cls in classes for f in dataclasses.fields(cls)})
        expected += [f"{section}.kind"] if section in KINDS else []
    assert {"neuron.kind", "neuron.tau_w", "neuron.d_theta", "synapse.tau_rise"} <= set(expected)
    assert sorted(f.name for f in schema.fields()) == sorted(expected)
    for name in expected:
        assert schema.resolve_name(name) == name
        assert "--" + name.replace("_", "-") in options


def test_short_names_and_aliases():
    assert [schema.resolve_name(n) for n in ("tau_m", "tau-m", "--tau-m", "R_max", "spike_max_rate", "alpha",
                                             "synapse", "neuron", "r_m", "max_rate")] == [
        "neuron.tau_m", "neuron.tau_m", "neuron.tau_m", "coding.max_rate", "coding.max_rate", "ed.lr",
        "synapse.kind", "neuron.kind", "neuron.R_m", "coding.max_rate"]
    with pytest.raises(KeyError, match="'kind' is ambiguous: write one of neuron.kind, synapse.kind"):
        schema.resolve_name("kind")
    assert schema.flags(schema.field("coding.max_rate")) == [
        "--max-rate", "--coding.max-rate", "--R-max", "--spike-max-rate"]
    assert schema.flags(schema.field("input_neuron.tau_m")) == ["--input-neuron.tau-m"]


def test_old_new_and_dotted_option_names_agree():
    same = [("--spike-max-rate", "100Hz"), ("--max-rate", "100Hz"), ("--coding.max-rate", "100 Hz"),
            ("--spike_max_rate", "100"), ("--R-max", "0.1kHz")]
    assert [parse(*option).coding.max_rate for option in same] == [100 * Hz] * len(same)
    assert parse("--alpha", "0.3") == parse("--lr", "0.3") == parse("--ed.lr", "0.3")
    assert parse("--model", "reference", "--input-neuron.tau-m", "7ms").input_neuron.tau_m == 7 * ms
    assert parse("--no-bias") == TrainConfig() and parse("--ed.bias").ed.bias
    assert parse("--data-dir", "/data").data == "full"


@pytest.mark.parametrize("option, message", [
    ("--tau-m", "--tau-m must be a time, e.g. 20. ms (got '20' without a unit)"),
    ("--neuron.tau-m", "--neuron.tau-m must be a time, e.g. 20. ms (got '20' without a unit)"),
    ("--spike-max-rate", "--spike-max-rate must be a rate, e.g. 150. Hz (got '20' without a unit)"),
])
def test_command_line_messages_name_the_option_as_typed(option, message):
    with pytest.raises(ValueError) as info:
        parse(option, "20")
    assert str(info.value) == message


def test_each_refused_option_is_named():
    with pytest.raises(ValueError) as info:
        parse("--train", "0", "--epochs", "0", "--lr", "fast")
    assert str(info.value) == ("--train: train must be a whole number >= 1 (got 0); "
                               "--epochs: epochs must be a whole number >= 1 (got 0); "
                               "--lr must be a number (got 'fast')")


def test_toml_values_are_typed_and_unit_checked():
    base = TrainConfig()
    for name, value, message in [
        ("neuron.tau_m", 20, "tau_m must be a time, e.g. 20. ms (got '20' without a unit)"),
        ("neuron.tau_m", "20 mV", "tau_m must be a time, e.g. 20. ms (got '20 mV')"),
        ("neuron.tau_m", True, 'tau_m must be text with a unit, e.g. "20. ms" (got True)'),
        ("ed.lr", "0.1", "lr must be a number without quotes (got '0.1')"),
        ("train", 2.5, "train must be a whole number without quotes (got 2.5)"),
        ("ed.bias", 1, "bias must be true or false (got 1)"),
        ("model", 3, "model must be text in quotes (got 3)"),
        ("hidden", "16", "hidden must be a whole number or a list of them, e.g. [16] or [32, 16] (got '16')"),
        ("synapse.kind", "gamma", "kind must be one of ('exponential', 'delta', 'alpha', 'biexponential') "
                                  "(got 'gamma')"),
    ]:
        with pytest.raises(schema.ParameterError) as info:
            schema.apply(base, {name: value})
        assert str(info.value) == message
    assert schema.apply(base, {"hidden": 16, "ed.lr": 1, "neuron.tau_m": 10 * ms}).hidden == (16,)


def test_fields_of_one_kind_only():
    with pytest.raises(schema.ParameterError, match=r"tau_syn applies to exponential and alpha synapses only "
                                                    r"\(this run's synapse is delta\)"):
        schema.apply(TrainConfig(), {"synapse.kind": "delta", "synapse.tau_syn": "3 ms"})
    delta = schema.apply(TrainConfig(), {"synapse.kind": "delta", "synapse.w_unit": "1 mV"})
    assert delta.synapse.w_unit == 1 * mV


def _train_help(model=None):
    """The train help on one line; argparse wraps nothing (a wrap splits "da-lif" at its hyphen)."""
    train = build_parser(model)._subparsers._group_actions[0].choices["train"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", "100000")
        return " ".join(train.format_help().split())


def test_help_lists_docs_units_and_defaults():
    text = _train_help()
    assert "--tau-m, --neuron.tau-m Q membrane time constant, with a unit (default: 20 ms)" in text
    assert "--sign-rule, --ed.sign-rule {kaneko,dale}" in text
    assert "(default: 0.4 nA (exponential), 0.5 mV (delta), 0.4 nA (alpha), 0.4 nA (biexponential))" in text
    helps = {model: _train_help(model) for model in NETWORKS}
    for f in schema.fields():  # every option is described in the help of the networks that read it
        readers = [m for m in NETWORKS if (f.section or f.name) in RUN_FIELDS + NETWORKS[m].options]
        assert readers, f.name
        for model in readers:
            assert f"(default: {f.default_text(TrainConfig())})" in helps[model]


def test_help_of_a_network_leaves_out_the_options_of_the_others():
    text = _train_help("diehl-cook")
    assert "--neurons" in text and "--dc-excitatory.d-theta" in text and "--train" in text
    assert "--tau-m" not in text and "--hidden" not in text and "--transfer" not in text


# --------------------------------------------------------------------------- new fields and kinds


@dataclasses.dataclass(frozen=True)
class GammaSynapse(QuantityParameters):
    """A synapse kind defined outside edsnn (the schema must pick it up unchanged).

    Parameters
    ----------
    tau_gamma : Quantity
        Rise time.
    shape : {"alpha", "biexponential"}
        Time course of the current.
    """

    tau_gamma: Quantity = physical(1 * ms, "rise time of the synaptic current")
    w_unit: Quantity = physical(0.3 * nA, "peak current for a weight of 1")
    shape: str = "alpha"


@dataclasses.dataclass(frozen=True)
class AdaptiveLIF(LIFParameters):
    """An LIF neuron with an adaptation current."""

    tau_w: Quantity = physical(100 * ms, "adaptation time constant")


def test_a_registered_kind_becomes_an_option_a_sweep_name_and_a_config_section(monkeypatch):
    monkeypatch.setitem(SYNAPSES, "gamma", GammaSynapse)
    config = parse("--synapse", "gamma", "--tau-gamma", "2ms", "--shape", "biexponential", "--w-unit", "0.5nA")
    assert config.synapse == GammaSynapse(tau_gamma=2 * ms, w_unit=0.5 * nA, shape="biexponential")
    assert TrainConfig.from_dict(config.to_dict()) == config
    assert config.to_dict()["synapse"]["kind"] == "gamma"
    assert "--shape, --synapse.shape {alpha,biexponential}" in " ".join(
        build_parser()._subparsers._group_actions[0].choices["train"].format_help().split())
    with pytest.raises(ValueError, match=r"--tau-gamma applies to gamma synapses only \(this run's synapse is "
                                         r"exponential\)"):
        parse("--tau-gamma", "2ms")
    spec = parse_spec('[base]\nsynapse = "gamma"\n[grid]\ntau_gamma = ["1 ms", "3 ms"]\n')
    assert [p.config.synapse.tau_gamma for p in spec.points] == [1 * ms, 3 * ms]
    with pytest.raises(SweepSpecError, match=r'\[grid\] "tau_gamma"\[0\]: tau_gamma must be a time, e.g. 1. ms'):
        parse_spec('[base]\nsynapse = "gamma"\n[grid]\ntau_gamma = [1]\n')


def test_a_new_polymorphic_section_gets_a_kind_option(monkeypatch):
    # what a neuron-model registry will do: KINDS["neuron"] = {"lif": ..., "adaptive-lif": ...}
    monkeypatch.setitem(KINDS, "neuron", {"lif": LIFParameters, "adaptive-lif": AdaptiveLIF})
    config = parse("--neuron", "adaptive-lif", "--tau-w", "50ms", "--tau-m", "15ms")
    assert config.neuron == AdaptiveLIF(tau_w=50 * ms, tau_m=15 * ms)
    assert TrainConfig.from_dict(config.to_dict()) == config
    assert schema.resolve_name("neuron") == "neuron.kind"
    with pytest.raises(KeyError, match="'kind' is ambiguous: write one of neuron.kind, synapse.kind"):
        schema.resolve_name("kind")
    with pytest.raises(ValueError, match=r"--tau-w applies to adaptive-lif neurons only"):
        parse("--tau-w", "50ms")


# -- per-layer neuron models ------------------------------------------------------

PER_LAYER_SPEC = '''
[base]
hidden = [8, 4]
neurons.hidden1 = "izhikevich"

[base.neurons.output]
kind = "adaptive-lif"
d_theta = "0.1 mV"

[grid]
"neuron.tau_m" = ["10 ms", "30 ms"]
'''


def test_per_layer_neurons_from_toml_reach_the_network_and_config_json():
    from edsnn.model import AdaptiveLIF, Izhikevich
    from edsnn.protocols.training import build_network

    spec = parse_spec(PER_LAYER_SPEC)
    config = spec.points[1].config
    models = config.layer_neurons()
    assert [type(models[layer]) for layer in ("hidden1", "hidden2", "output")] == [
        Izhikevich, LIFParameters, AdaptiveLIF]
    assert models["output"].d_theta == 0.1 * mV and models["output"].tau_m == AdaptiveLIF().tau_m
    assert models["hidden2"].tau_m == 30 * ms  # the swept `neuron` fills the layers not named
    written = config.to_dict()["neurons"]
    assert written["output"] == {"kind": "adaptive-lif", **AdaptiveLIF(d_theta=0.1 * mV).to_dict()}
    assert TrainConfig.from_dict(config.to_dict()) == config
    net = build_network(config.replace(device="numpy")).net
    assert {name: type(model) for name, model in net.neurons.items()} == {
        name: type(model) for name, model in models.items()}


@pytest.mark.parametrize("table, message", [
    ('neurons.hidden3 = "lif"', r"neurons names unknown layers \['hidden3'\]"),
    ('neurons.output = "hodgkin"', "neurons.output.kind must be one of"),
    ('[base.neurons.output]\ntau_m = "10 ms"', "neurons.output needs a kind"),
    ('[base.neurons.output]\nkind = "lif"\ntau_m = "10 mV"', "neurons.output.tau_m must be a time"),
    ('[base.neurons.output]\nkind = "lif"\nd_theta = "1 mV"', "neurons.output: lif has no parameter 'd_theta'"),
    ('neurons = "lif"', "must be a table of layers"),
])
def test_per_layer_refusals_name_the_layer_and_parameter(table, message):
    text = f"[base]\nhidden = [8, 4]\n{table}\n[repeat]\nseeds = [1]\n"
    if table.startswith("["):
        text = f"[base]\nhidden = [8, 4]\n\n{table}\n\n[repeat]\nseeds = [1]\n"
    with pytest.raises(SweepSpecError, match=message):
        parse_spec(text)


def test_per_layer_neurons_and_transfer_are_refused_where_they_do_not_apply():
    with pytest.raises(ValueError, match="neurons = .* applies to model 'spiking', not to .* model 'reference'"):
        TrainConfig(model="reference", neurons={"output": LIFParameters()})
    with pytest.raises(TypeError, match=r"neurons\['output'\] must be one of"):
        TrainConfig(neurons={"output": ReferenceInputLIF()})
    with pytest.raises(ValueError, match="transfer = 'frelu' applies to model 'reference'"):
        parse("--transfer", "frelu")
    assert parse("--model", "reference", "--transfer", "frelu").transfer == "frelu"
