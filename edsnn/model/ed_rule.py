"""Kaneko's Error-Diffusion rule as a learning-rule part (docs/ed_rule.md).

The update of synapse j → i, run at the end of every learning presentation:

    Δw_ij = α · s_j · y_i(1 − y_i) · σ_ij · (a⁺_i if σ_ij·ε_i > 0 else a⁻_i)

with the weight's sign σ_ij = τ_post·τ_pre (Kaneko) or τ_pre (Dale), and ε_i
the sign of neuron i's effect on its class output (docs/dale.md): its type
τ_i under Kaneko's rule, and under Dale's in the last hidden layer; +1 in the
earlier hidden layers under Dale's.  Growing ``|w_ij|`` moves the output in the
direction σ_ij·ε_i, so the synapse learns from the amine that asks for that
direction: under Kaneko's rule the excitatory presynapses learn from a⁺ and
the inhibitory ones from a⁻; under Dale's the roles swap on the inhibitory
neurons of the last hidden layer.  The output neuron of each class network
turns its error into two amines, which diffuse to the hidden neurons of its
class network, and every change has the weight's sign.  The factors that
belong to one neuron are computed once per presentation (``PRE_FACTORS``,
``POST_GAINS``), so that each of the millions of synapses does one
multiply-add pair (``ED_UPDATE``).

A synapse whose presynaptic activity is 0 does not change, so the update is
event-driven: ``PRE_FACTORS`` raises ``learn_now`` on the neurons with
``s > 0`` in a learning presentation, and only their synapses run
``ED_UPDATE`` (the ``learn`` event).  Background pixels (most of an MNIST
image) and test presentations cost nothing.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import Hz, Quantity, Synapses

from edsnn.model.rules import ORDER, LearningRule, Pathway
from edsnn.units import QuantityParameters, physical

__all__ = ["EDParameters", "EDRule", "SIGN_RULES", "DIFFUSIONS", "INPUT_ACTIVITIES", "PRIOR_SCOPES"]

SIGN_RULES = ("kaneko", "dale")
DIFFUSIONS = ("compound", "uniform")
INPUT_ACTIVITIES = ("rate", "count")
PRIOR_SCOPES = ("all", "derivative")


def _require(condition: bool, message: str):
    if not condition:
        raise ValueError(message)


def _choice(name: str, value, choices):
    _require(value in choices, f"{name} must be one of {choices} (got {value!r})")


@dataclasses.dataclass(frozen=True)
class EDParameters(QuantityParameters):
    """Error-Diffusion rule and the read-out of activities.

    Parameters
    ----------
    lr : float
        Learning rate α.
    ami : float
        β, the value of Kaneko's two bias inputs (used when ``bias`` is True).
    dif : float
        u1, amine diffusion factor from the output to hidden layers.
    sig : float
        u0, the sigmoid gain of rate units ``f(u) = 1/(1+exp(-2u/u0))``
        (reference model only).
    w1, w2 : float
        Initial weight magnitudes are drawn from ``U[w1, w2)``.
    sign_rule : {"kaneko", "dale"}
        ``w = |w|·τ_post·τ_pre`` (Kaneko) or ``w = |w|·τ_pre`` (Dale's
        principle, with the amines of inhibitory neurons swapped so that
        they learn in the direction of their effect; docs/dale.md).
    diffusion : {"uniform", "compound"}
        Hidden layer ``l`` of ``L`` gets ``u1`` times the output amine in
        every layer (Kaneko; default: with three hidden layers, 1.9 points
        above compound over 3 seeds; docs: Results, "Depth at 100 ms") or ``u1**(L-l+1)``
        (the published program).  The same with one hidden layer.
    bias : bool
        Add Kaneko's two bias inputs (one E, one I) of value β.
    input_activity : {"rate", "count"}
        Presynaptic activity ``s`` of the first layer in the update: the pixel
        value ``x`` (as the published program) or the input's normalised
        spike count.
    activity_max_rate : Quantity
        Firing rate that maps to activity 1 (spiking layers), in Hz.
    count_prior : float
        ``c0`` in ``y = clip((count + c0) / (activity_max_rate·T + 2·c0), 0, 1)``:
        a prior count that keeps ``y`` off 0 and 1, so that a silent neuron
        still has ``y(1-y) > 0`` and can learn (0: the plain normalised count).
        Defaults (200 Hz, 1) from the study in docs: Results, "What made spike
        counts learn".
    prior_scope : {"derivative", "all"}
        Where the prior count enters: only the derivative-like factor
        ``y(1-y)``, the activity itself being the plain normalised count
        (default: a silent output then has no error left to correct, and no
        drift into silence or saturation; docs: Results, "The headline protocol
        at 50 ms", 3 seeds), or the
        activity everywhere (forward read-out, error, presynaptic ``s`` and the
        factor; edsnn's default before).
    saturated_learning : bool
        A neuron firing beyond the activity cap keeps learning: in the
        derivative-like factor its count is read at the cap, so ``y(1-y)``
        keeps its value there (> 0 with the prior count) instead of falling
        to 0.  Without it (the default) a neuron driven past the cap stops
        changing its inputs, as a sigmoid unit deep in saturation nearly
        does; the last hidden layer's I neurons of a deep network sit
        there.  Measured with it: no change on three hidden layers or on
        Fashion-MNIST (one seed each; docs: Results, "Learning beyond the cap"),
        so off.
    synaptic_scaling : bool
        Multiplicative synaptic scaling (Turrigiano): after every learning
        presentation each neuron's excitatory and inhibitory input weights are
        rescaled so that the magnitudes of each kind sum to their initial mean
        (fan-in/2 · (w1 + w2)/2; the initial draw is scaled to it).  ED only
        ever grows a weight's magnitude, and it grows a neuron's I inputs with
        the presynaptic I activity and its E inputs with the E activity, so an
        E/I imbalance in one layer becomes a larger one in the next; scaling
        keeps each neuron's total drive of either sign and lets ED change only
        which inputs carry it.
    lr_half_life : float
        Epochs over which the learning rate halves (0, the default: constant),
        ``α·2^(−(e−1)/lr_half_life)`` in epoch ``e``: the amine released per
        unit of error declines as training goes on, as plasticity does when a
        critical period closes, so the last epochs average over more
        presentations instead of following the last few.  The protocol hands
        the factor over with each learning presentation
        (:meth:`plasticity`); it depends on the epoch only, so a resumed run
        continues the same schedule.
    """

    lr: float = 0.15
    ami: float = 0.8
    dif: float = 0.5
    sig: float = 1.2
    w1: float = 0.3
    w2: float = 0.5
    sign_rule: str = "kaneko"
    diffusion: str = "uniform"
    bias: bool = False
    input_activity: str = "rate"
    activity_max_rate: Quantity = physical(200 * Hz, "firing rate read as activity 1")
    count_prior: float = 1.0
    prior_scope: str = "derivative"
    saturated_learning: bool = False
    synaptic_scaling: bool = False
    lr_half_life: float = 0.0

    def __post_init__(self):
        super().__post_init__()
        _choice("sign_rule", self.sign_rule, SIGN_RULES)
        _choice("diffusion", self.diffusion, DIFFUSIONS)
        _choice("input_activity", self.input_activity, INPUT_ACTIVITIES)
        _choice("prior_scope", self.prior_scope, PRIOR_SCOPES)
        _require(self.lr >= 0, f"lr must be >= 0 (got {self.lr})")
        _require(self.sig > 0, f"sig (u0) must be positive (got {self.sig})")
        _require(0 <= self.w1 <= self.w2, f"need 0 <= w1 <= w2 (got w1={self.w1}, w2={self.w2})")
        _require(self.activity_max_rate > 0 * Hz, "activity_max_rate must be positive")
        _require(self.count_prior >= 0, f"count_prior must be >= 0 (got {self.count_prior})")
        _require(self.lr_half_life >= 0, f"lr_half_life must be >= 0 epochs (got {self.lr_half_life})")

    def plasticity(self, epoch: int) -> float:
        """Factor on the learning rate in ``epoch`` (1, 2, …): 1 without a half-life."""
        return 0.5 ** ((epoch - 1) / self.lr_half_life) if self.lr_half_life else 1.0


# -- the rule's text -------------------------------------------------------------

#: What every learning layer holds for the rule, given its activity ``y``.
UNIT = """
s = y : 1                  # presynaptic activity in the ED update
learn_now : 1              # > 0 (the learn value) when its outgoing synapses have an update to make (PRE_FACTORS)
a_plus : 1                 # positive-error amine
a_minus : 1                # negative-error amine
s_exc : 1                  # s if excitatory, else 0 (PRE_FACTORS)
s_inh : 1                  # s if inhibitory, else 0 (PRE_FACTORS)
g_plus : 1                 # postsynaptic gain of the positive amine (POST_GAINS)
g_minus : 1                # postsynaptic gain of the negative amine (POST_GAINS)
lr : 1 (shared, constant)  # learning rate α, read by the program at run time (EDRule.schedule)
"""

#: Activity of a spiking layer: its normalised spike count, with the prior count;
#: ``{factor_count}`` is the count the derivative-like factor reads (:data:`FACTOR_COUNT`).
COUNT_ACTIVITY = """
n_max : 1 (shared, constant)   # count read as activity 1: activity_max_rate·T (at run time)
c0 : 1 (shared, constant)      # prior count of the derivative-like factor (at run time)
c0y : 1 (shared, constant)     # prior count of the activity: c0, or 0 (prior_scope "derivative"; at run time)
y = clip((cnt + c0y) / (n_max + 2*c0y), 0, 1) : 1   # activity: normalised spike count (prior c0y)
yd = clip(({factor_count} + c0) / (n_max + 2*c0), 0, 1) : 1    # activity in the derivative-like factor (prior c0)
"""

#: The count in the derivative-like factor, by ``EDParameters.saturated_learning``.
FACTOR_COUNT = {False: "cnt", True: "clip(cnt, 0, n_max)"}

#: Activity of a rate unit in the derivative-like factor: its activity.
RATE_ACTIVITY = "yd = y : 1                 # activity in the derivative-like factor\n"

#: What the first layer holds for the rule (its ``s`` is set by ``INPUT_ACTIVITY_CODE``).
SOURCE = """
s : 1                      # presynaptic activity in the ED update (set by INPUT_ACTIVITY_CODE)
s_exc : 1                  # s if excitatory, else 0 (PRE_FACTORS)
s_inh : 1                  # s if inhibitory, else 0 (PRE_FACTORS)
learn_now : 1              # > 0 (the learn value) when its outgoing synapses have an update to make (PRE_FACTORS)
"""

#: Sets the inputs' ``s`` once per presentation, before the update reads it from
#: every synapse (a per-synapse TimedArray look-up would cost more than the update).
INPUT_ACTIVITY_CODE = "s = {input_activity}"

#: Input activity "rate": the pixel value (the "count" text comes from the input layer).
PIXEL_ACTIVITY = "rates_ta(t - t0, pix) / R_max"

#: Error and amines of the output neurons for the presentation that just ended.
#: ``learn_ta`` is 0 for test presentations and, for training ones, the factor
#: on the learning rate (1, or :meth:`EDParameters.plasticity`); nothing is
#: learnt before the first presentation (``t > t0``).
OUTPUT_ERROR = """
err = int(abs(label_ta(t - t0) - cls) < 0.5) - y
learning = learn_ta(t - t0) * int(t > t0)
a_plus = learning * clip(err, 0, inf)
a_minus = learning * clip(-err, 0, inf)
"""

#: Amine diffusion from an output neuron to the hidden neurons of its class net.
AMINE_DIFFUSION = """
factor : 1 (shared, constant)              # dif, or its power under compound diffusion (at run time)
a_plus_post = factor * a_plus_pre : 1 (summed)
a_minus_post = factor * a_minus_pre : 1 (summed)
"""

#: Per-neuron factors of a presynaptic group; ``{learning}`` is :data:`LEARNING_GATE`.
PRE_FACTORS = """
s_exc = s * int(sgn > 0)
s_inh = s * int(sgn < 0)
learn_now = int(s > 0) * {learning}
"""

#: Whether the presentation that just ended learns, as read by a presynaptic group.
#: A group on the presentation clock (the reference model's rate units) cannot
#: read ``learn_ta`` at the right time (a TimedArray rounds time to its owner's
#: dt), so it always raises its (small) update; the amines keep it exact.
LEARNING_GATE = {"step": "learn_ta(t - t0) * int(t > t0)", "period": "1"}

#: Custom event of a presynaptic group that runs ED_UPDATE on its outgoing synapses.
LEARN_EVENT = "learn_now > 0"

#: Postsynaptic gains of the excitatory (``g_plus``) and inhibitory (``g_minus``)
#: presynapses: ``σ/τ_pre`` times the amine they learn from (:data:`POST_AMINES`);
#: the presynaptic sign τ_pre = −1 of ``s_inh`` is folded into ``g_minus``.
POST_GAINS = """
g_plus = lr * yd * (1 - yd) * {exc}
g_minus = -lr * yd * (1 - yd) * {inh}
"""

#: ``σ/τ_pre`` times the amine of an (excitatory, inhibitory) presynapse, per sign rule
#: and layer (``sgn`` = τ_post; ``sign`` is reserved in Brian2); the amine follows
#: τ_pre·ε_post, ε the sign of the neuron's effect on its class output (docs/dale.md).
#: Kaneko: σ/τ_pre = τ_post and ε = τ_post in every layer, so the amine follows τ_pre.
#: Dale: σ/τ_pre = 1; in the last hidden layer (and the output) ε = τ_post, so an
#: inhibitory neuron's E inputs learn from a⁻ and its I inputs from a⁺; in earlier
#: hidden layers ε = +1, so the amine follows τ_pre.
POST_AMINES = {
    ("kaneko", "last"): ("(sgn) * a_plus", "(sgn) * a_minus"),
    ("kaneko", "earlier"): ("(sgn) * a_plus", "(sgn) * a_minus"),
    ("dale", "last"): ("(int(sgn > 0) * a_plus + int(sgn < 0) * a_minus)",
                       "(int(sgn > 0) * a_minus + int(sgn < 0) * a_plus)"),
    ("dale", "earlier"): ("a_plus", "a_minus"),
}

ED_UPDATE = "w += s_exc_pre * g_plus_post + s_inh_pre * g_minus_post"

#: A fused E/I pair's synapse: both weights of the pair, and what a spike carries.  The sum
#: is kept as a variable rather than a subexpression: every spike of the pixel reads it, so
#: summing it on every update instead halves what the forward pass reads from memory.
PAIR_SYNAPSE = """
w_e : 1                    # weight of the pair's excitatory input (>= 0 under Kaneko's rule onto E)
w_i : 1                    # weight of the pair's inhibitory input
w : 1                      # w_e + w_i, what one spike of the pixel carries (both inputs fire in the same step)
"""

#: The pair's sum after any change of its weights.
PAIR_SUM = "\nw = w_e + w_i"

#: ED_UPDATE for both weights of a fused pair: ``s_exc = s_inh = s`` for its two inputs, so
#: each weight takes the term of its own input, bit for bit as two synapses would.
PAIR_UPDATE = "w_e += s_pre * g_plus_post\nw_i += s_pre * g_minus_post" + PAIR_SUM


#: What every learning layer holds for synaptic scaling.
SCALING_UNIT = """
w_norm : 1                 # summed |w| of the E inputs, and of the I inputs, after scaling
tot_e : 1                  # summed |w| of the E inputs (kept up to date by every update)
tot_i : 1                  # summed |w| of the I inputs (kept up to date by every update)
"""

#: What an update adds to the postsynaptic sums (every change has its weight's sign).
SCALING_TRACK = {"w": "\ntot_e_post += s_exc_pre * abs(g_plus_post)\ntot_i_post += s_inh_pre * abs(g_minus_post)",
                 "pair": "\ntot_e_post += s_pre * abs(g_plus_post)\ntot_i_post += s_pre * abs(g_minus_post)"}

#: The rescaling, run on the synapses after the update (a factor of exactly 1 where nothing was learnt).
SCALE = {"w": "w *= w_norm_post / (int(sgn_pre > 0) * tot_e_post + int(sgn_pre < 0) * tot_i_post)",
         "pair": "w_e *= w_norm_post / tot_e_post\nw_i *= w_norm_post / tot_i_post" + PAIR_SUM}

#: The neuron's sums after :data:`SCALE`.
SCALED = "tot_e = w_norm\ntot_i = w_norm"


def scaled_initial(weights: np.ndarray, pre_sign: np.ndarray, w_norm: float) -> np.ndarray:
    """``weights`` (class, pre, post) or (class, pre) with each neuron's E and I input magnitudes
    summing to ``w_norm``; ``pre_sign`` is the type (+1 E, −1 I) of each presynaptic unit."""
    shape = (1, -1) + (1,) * (weights.ndim - 2)
    out = np.array(weights, dtype=float)
    for kind in (1, -1):
        mask = (pre_sign == kind).reshape(shape)
        total = np.sum(np.abs(out) * mask, axis=1, keepdims=True)
        out = np.where(mask, out * w_norm / total, out)
    return out


class EDRule(LearningRule):
    """The ED rule with its parameters, for a presentation of duration ``presentation``.

    Parameters
    ----------
    params : EDParameters
        The rule's parameters.
    presentation : Quantity
        Stimulus duration (s), which fixes the count read as activity 1.
    """

    name = "ed"
    source_equations = SOURCE
    events = {"learn": LEARN_EVENT}
    synapse_equations = "w : 1  # signed weight\n"
    pathways = {"learn": Pathway(ED_UPDATE, event="learn", when="end", order=ORDER["update"])}
    rest_code = "learn_now = 0"
    pair_synapse_equations = PAIR_SYNAPSE
    pair_pathways = {"learn": Pathway(PAIR_UPDATE, event="learn", when="end", order=ORDER["update"])}

    def __init__(self, params: EDParameters, presentation: Quantity):
        self.params = params
        self.presentation = presentation
        if params.synaptic_scaling:
            self.pathways = {"learn": dataclasses.replace(self.pathways["learn"],
                                                          code=ED_UPDATE + SCALING_TRACK["w"])}
            self.pair_pathways = {"learn": dataclasses.replace(self.pair_pathways["learn"],
                                                               code=PAIR_UPDATE + SCALING_TRACK["pair"])}

    def w_norm(self, n_pre: int) -> float:
        """Summed magnitude of a neuron's E (or I) input weights under synaptic scaling."""
        return n_pre / 2 * (self.params.w1 + self.params.w2) / 2

    def initial_weights(self, weights: np.ndarray, pre_sign: np.ndarray) -> np.ndarray:
        """The first weights of one layer (class, pre[, post]): the draw, scaled where the rule scales."""
        if not self.params.synaptic_scaling:
            return weights
        return scaled_initial(weights, pre_sign, self.w_norm(pre_sign.size))

    def parameters(self) -> dict:
        p = self.params
        return dict(n_max=float(p.activity_max_rate * self.presentation), c0=p.count_prior,
                    c0y=p.count_prior if p.prior_scope == "all" else 0.0)

    def unit_equations(self, model) -> str:
        scaling = SCALING_UNIT if self.params.synaptic_scaling else ""
        count = COUNT_ACTIVITY.format(factor_count=FACTOR_COUNT[self.params.saturated_learning])
        return UNIT + (count if model.spiking else RATE_ACTIVITY) + scaling

    def schedule(self, net) -> list:
        """Error, diffusion, factors, events and update order of ``net`` (an :class:`EDNetwork`).

        The learning rate, the diffusion factors and :meth:`parameters` are
        variables set through the device at run time rather than constants in
        the generated code, so that networks differing only in them (a sweep of
        ``lr``, ``dif``, ``activity_max_rate`` or ``count_prior``) share one
        compiled program.
        """
        p, period, step = self.params, net.period, net.coding.dt
        inp, layers, output = net.input_group, list(net.layers.values()), net.layers["output"]
        count = net.input_count_activity
        activity = {"rate": PIXEL_ACTIVITY, "count": count}[p.input_activity]
        inp.run_regularly(INPUT_ACTIVITY_CODE.format(input_activity=activity), dt=period,
                          when="end", order=ORDER["diffuse"], name="input_activity")
        earlier = {group.name for group in layers[:-2]}  # hidden layers before the last one
        for group in [inp, *layers]:
            exc, inh = POST_AMINES[p.sign_rule, "earlier" if group.name in earlier else "last"]
            code = POST_GAINS.format(exc=exc, inh=inh) if group is not inp else ""
            if group is not output:
                clock = "period" if group.clock.dt == period != step else "step"
                code += PRE_FACTORS.format(learning=LEARNING_GATE[clock])
                group.set_event_schedule("learn", when="end", order=ORDER["event"])
            group.run_regularly(code, dt=period, when="end", order=ORDER["factors"], name=f"{group.name}_factors")
            if group is not inp:
                net.device.set_parameter(group, "lr", p.lr)
            for name, value in self.parameters().items():
                if name in group.variables:
                    net.device.set_parameter(group, name, value)
        output.run_regularly(OUTPUT_ERROR, dt=period, when="end", order=ORDER["error"], name="ed_error")
        if p.synaptic_scaling:
            self._schedule_scaling(net)
        return [self._diffusion(net, number, size) for number, size in enumerate(net.hidden, start=1)]

    def _schedule_scaling(self, net):
        """Rescale every learning synapse after the update, then reset each neuron's sums."""
        for name, syn in net.synapses.items():
            group = net.layers[name]
            kind = "pair" if set(syn.variables) >= {"w_e", "w_i"} else "w"
            group.w_norm = self.w_norm(net.weight_signs(name).shape[1])
            group.tot_e = group.tot_i = group.w_norm
            syn.run_regularly(SCALE[kind], dt=net.period, when="end", order=ORDER["scale"], name=f"{name}_scaling")
            group.run_regularly(SCALED, dt=net.period, when="end", order=ORDER["reset"], name=f"{name}_scaled")

    def _diffusion(self, net, number, size):
        """Amines from each output neuron to hidden layer ``number`` of its class net."""
        p, n_hidden = self.params, len(net.hidden)
        factor = p.dif ** (n_hidden - number + 1) if p.diffusion == "compound" else p.dif
        diffuse = Synapses(
            net.layers["output"], net.layers[f"hidden{number}"], AMINE_DIFFUSION,
            dt=net.period, name=f"amine_hidden{number}",
        )  # on the presentation clock: the amines are needed once per presentation
        net.device.set_parameter(diffuse, "factor", factor)
        diffuse.connect(i=np.repeat(np.arange(net.class_networks), size), j=np.arange(net.class_networks * size))
        for updater in diffuse.summed_updaters.values():
            updater.when, updater.order = "end", ORDER["diffuse"]
        return diffuse

    def signs(self, pre_sign: np.ndarray, post_sign: np.ndarray) -> np.ndarray:
        """Sign each weight keeps, from the types (+1 E, −1 I) of its two neurons."""
        return pre_sign * post_sign if self.params.sign_rule == "kaneko" else pre_sign.astype(float)
