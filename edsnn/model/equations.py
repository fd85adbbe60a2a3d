"""Model text: the Brian2 equations and code of edsnn, as plain strings.

Nothing here builds Brian2 objects (that is :mod:`edsnn.model.network`); the
strings are filled in with ``str.format`` for the options that change the
text (synapse kinetics, sign rule, rest gate), and their constants are bound
through the groups' namespaces.

Every group that feeds a learning synapse defines ``s`` (its activity as seen
by the update); every group that receives one defines ``y`` (its activity in
[0, 1]), ``sgn`` (+1 E, -1 I) and the amines ``a_plus``/``a_minus``.
"""

# -- neurons -------------------------------------------------------------------

#: Poisson input neurons; pixel ``pix`` of the presentation under way fires
#: with probability ``x * R_max * dt`` per step while the stimulus is on.
POISSON_INPUT = """
cnt : 1                    # spikes in the current presentation
sgn : 1 (constant)         # +1 excitatory, -1 inhibitory input of the E/I pair
pix : integer (constant)   # pixel (column of rates_ta) this input codes
t0 : second (shared)       # start of the current batch of presentations
s : 1                      # presynaptic activity in the ED update (set by INPUT_ACTIVITY_CODE)
s_exc : 1                  # s if excitatory, else 0 (PRE_FACTORS)
s_inh : 1                  # s if inhibitory, else 0 (PRE_FACTORS)
learn_now : 1              # 1 when its outgoing synapses have an update to make (PRE_FACTORS)
"""

#: Input neuron of a shared E/I pair: relays its pixel's Poisson spikes one step later.
RELAY_INPUT = POISSON_INPUT + "fired : 1                  # 1 from the pixel's spike until relayed\n"

#: Spike threshold of the Poisson inputs; ``{gate}`` is 1 while a stimulus is on.
POISSON_THRESHOLD = "rand() < rates_ta(t - t0, pix) * dt * {gate}"

#: Stimulus gate: on from the batch start, off during the rest part of a period.
GATE_ALWAYS = "int(t > t0 - 0.5*dt)"
GATE_WITH_REST = (
    "int(t > t0 - 0.5*dt) * int((t - t0) - period*floor((t - t0)/period + 0.5*dt/period)"
    " < presentation - 0.5*dt)"
)

#: Sets the inputs' ``s`` once per presentation, before the update reads it from
#: every synapse (a per-synapse TimedArray look-up would cost more than the update).
INPUT_ACTIVITY_CODE = "s = {input_activity}"

#: Input activity ``s`` in the ED update: the pixel value or the normalised count.
INPUT_ACTIVITY = {
    "rate": "rates_ta(t - t0, pix) / R_max",
    "count": "clip(cnt / (R_max * presentation), 0, 1)",
}

#: What every hidden or output unit holds for the ED rule, given its activity ``y``.
LEARNING_UNIT = """
s = y : 1                  # presynaptic activity in the ED update
sgn : 1 (constant)         # +1 excitatory, -1 inhibitory
cls : integer (constant)   # class network the unit belongs to
t0 : second (shared)       # start of the current batch of presentations
learn_now : 1              # 1 when its outgoing synapses have an update to make (PRE_FACTORS)
a_plus : 1                 # positive-error amine
a_minus : 1                # negative-error amine
s_exc : 1                  # s if excitatory, else 0 (PRE_FACTORS)
s_inh : 1                  # s if inhibitory, else 0 (PRE_FACTORS)
g_plus : 1                 # postsynaptic gain of the positive amine (POST_GAINS)
g_minus : 1                # postsynaptic gain of the negative amine (POST_GAINS)
"""

#: Leaky integrate-and-fire neuron of a spiking layer (plus LEARNING_UNIT).
LIF = """
dv/dt = (v_rest - v + R_m*(I_syn + I_bias)) / tau_m : volt (unless refractory)  # membrane potential
{synaptic_current}
cnt : 1                    # spikes in the current presentation
q : 1                      # summed weight of the spikes received (read-out tie-break)
y = clip((cnt + c0y) / (n_max + 2*c0y), 0, 1) : 1   # activity: normalised spike count (prior c0y)
yd = clip((cnt + c0) / (n_max + 2*c0), 0, 1) : 1    # activity in the derivative-like factor (prior c0)
"""

#: Synaptic current of a LIF neuron, by synapse kinetics.
SYNAPTIC_CURRENT = {
    "exponential": "dI_syn/dt = -I_syn / tau_syn : amp  # exponentially decaying current",
    "delta": "I_syn : amp  # unused: delta synapses jump v directly",
}

#: Input LIF of the reference model (ED_SPEC §2): driven by Poisson spikes,
#: its rate ``r`` drives the rate units, its ``s`` is the pixel value (or ``r``).
REFERENCE_INPUT_LIF = """
dv/dt = (v_rest - v + R_m*I_bias) / tau_m : volt (unless refractory)  # membrane potential
cnt : 1                    # spikes in the current presentation
r = cnt / n_steps : 1      # spike probability per step: the forward activity
sgn : 1 (constant)         # +1 excitatory, -1 inhibitory input of the E/I pair
pix : integer (constant)   # pixel this input codes
t0 : second (shared)       # start of the current batch of presentations
s : 1                      # presynaptic activity in the ED update (set by INPUT_ACTIVITY_CODE)
s_exc : 1                  # s if excitatory, else 0 (PRE_FACTORS)
s_inh : 1                  # s if inhibitory, else 0 (PRE_FACTORS)
learn_now : 1              # 1 when its outgoing synapses have an update to make (PRE_FACTORS)
"""

#: Reference-model input activity: the raw pixel (published program) or the LIF rate.
REFERENCE_INPUT_ACTIVITY = {
    "rate": "rates_ta(t - t0, pix) / R_max",
    "count": "r",
}

#: Sigmoid rate unit of the reference model, evaluated once per presentation (plus LEARNING_UNIT).
RATE_UNIT = """
u : 1                      # summed input of the presentation
y = 1 / (1 + exp(-2*u/u0)) : 1   # activity f(u)
yd = y : 1                 # activity in the derivative-like factor
r = y : 1                  # forward activity sent to the next layer
"""

# -- synapses ------------------------------------------------------------------

#: Learning synapse; its weight's sign never changes (sign rule).
SYNAPSE = "w : 1  # signed weight\n"

#: Forward transmission of a spiking synapse, by kinetics.
ON_PRE = {
    "exponential": "I_syn_post += w * w_unit",
    "delta": "v_post += w * w_unit",
}

#: Forward pass of a rate unit: the summed input of the presentation.
RATE_FORWARD = "u_post = w * r_pre : 1 (summed)\n"

#: Amine diffusion from an output neuron to the hidden neurons of its class net.
AMINE_DIFFUSION = """
a_plus_post = factor * a_plus_pre : 1 (summed)
a_minus_post = factor * a_minus_pre : 1 (summed)
"""

# -- the ED rule (ED_SPEC §1), run at the end of every presentation ---------------

#: Error and amines of the output neurons for the presentation that just ended.
#: ``learn_ta`` is 1 for training presentations, 0 for test ones; nothing is
#: learnt before the first presentation (``t > t0``).
OUTPUT_ERROR = """
err = int(abs(label_ta(t - t0) - cls) < 0.5) - y
learning = learn_ta(t - t0) * int(t > t0)
a_plus = learning * clip(err, 0, inf)
a_minus = learning * clip(-err, 0, inf)
"""

#: The weight update of synapse j → i, ED_SPEC §1:
#:
#:     Δw_ij = α · s_j · y_i(1 − y_i) · sign(w_ij) · (a⁺_i if j is excitatory else a⁻_i)
#:
#: with sign(w) = τ_post·τ_pre (Kaneko) or τ_pre (Dale).  Excitatory presynapses
#: learn from the positive amine, inhibitory ones from the negative amine, and
#: every change has the weight's sign.  The factors that belong to one neuron
#: are computed once per presentation (PRE_FACTORS, POST_GAINS), so that each
#: of the millions of synapses does one multiply-add pair (ED_UPDATE).
#:
#: A synapse whose presynaptic activity is 0 does not change, so the update is
#: event-driven: PRE_FACTORS raises ``learn_now`` on the neurons with ``s > 0``
#: in a learning presentation, and only their synapses run ED_UPDATE
#: (:data:`LEARN_EVENT`).  Background pixels (most of an MNIST image) and test
#: presentations cost nothing.  ``{learning}`` is :data:`LEARNING_GATE`.
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

#: Postsynaptic gains; ``{post_sign}`` is ``sgn`` (Kaneko) or ``1`` (Dale), and
#: the presynaptic sign τ_pre = −1 of ``s_inh`` is folded into ``g_minus``.
POST_GAINS = """
g_plus = lr * yd * (1 - yd) * ({post_sign}) * a_plus
g_minus = -lr * yd * (1 - yd) * ({post_sign}) * a_minus
"""

#: Sign of the postsynaptic factor under each sign rule (``sign`` is reserved in Brian2).
POST_SIGN = {"kaneko": "sgn", "dale": "1"}

ED_UPDATE = "w += s_exc_pre * g_plus_post + s_inh_pre * g_minus_post"

#: Start of a new presentation for a spiking group.
RESET_COUNTS = "cnt = 0\nlearn_now = 0"
RESET_STATE = "v = v_rest\nI_syn = 0*amp"
