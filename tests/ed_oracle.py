"""A small numpy rendering of the ED model (docs/ed_rule.md, docs/published_program.md): the test oracle.

From what a Brian2 run recorded that the rule does not compute itself (the
spike counts of each presentation) it derives every activity in plain numpy,
the count → activity read-out of spiking units and the forward pass ``f(W·r)``
of rate units, and replays the weight updates.  The tests compare both the
activities and the weights with what the network reports.  The package never
uses it: the rule that runs is the generated code in ``edsnn.model.ed_rule``.
"""

import numpy as np


def input_signs(n_pre):
    """+1 for even (E) and -1 for odd (I) unit indices, shape (n_pre,)."""
    return 1.0 - 2.0 * (np.arange(n_pre) % 2)


def weight_signs(n_classes, n_pre, n_post, sign_rule, output=False):
    """Sign of every weight, layout (n_classes, n_pre, n_post) or (n_classes, n_pre)."""
    pre = input_signs(n_pre)[:, None]
    post = np.ones(1) if output else input_signs(n_post)
    signs = pre * post[None, :] if sign_rule == "kaneko" else np.broadcast_to(pre, (n_pre, len(post)))
    signs = np.broadcast_to(signs, (n_classes, n_pre, len(post)))
    return signs[..., 0] if output else signs


def effect_signs(n_post, sign_rule, output=False, last_hidden=True):
    """Sign ε of each neuron's effect on its class output, as the rule takes it (docs/dale.md).

    +1 for the output; the type under Kaneko's signs (exact in every layer) and in Dale's last
    hidden layer (exact); +1 in Dale's earlier hidden layers (the rule's assumption).
    """
    if output or (sign_rule == "dale" and not last_hidden):
        return np.ones(n_post)
    return input_signs(n_post)


def count_activity(counts, n_max, c0, prior_scope, saturated_learning=False):
    """Activities of spiking units from their spike counts in one presentation.

    ``y = clip((n + c0) / (n_max + 2·c0), 0, 1)``, with ``n_max`` the count read
    as activity 1 (``activity_max_rate · presentation``).

    Returns
    -------
    y, y_d : ndarray
        The activity (read-out, error, presynaptic ``s``) and the one in the
        factor ``y(1-y)``: both with the prior under ``prior_scope="all"``; under
        ``"derivative"`` ``y`` is the plain normalised count ``clip(n / n_max)``.
        With ``saturated_learning`` the factor reads ``min(n, n_max)``.
    """
    counts = np.asarray(counts, dtype=float)

    def with_prior(n):
        return np.clip((n + c0) / (n_max + 2 * c0), 0, 1)

    y_d = with_prior(np.minimum(counts, n_max) if saturated_learning else counts)
    return (with_prior(counts) if prior_scope == "all" else np.clip(counts / n_max, 0, 1)), y_d


def input_trains(net, pixels):
    """Run the reference model ``net`` on ``pixels`` without learning; return its retina and input-LIF spikes.

    Parameters
    ----------
    pixels : ndarray
        (n_presentations, n_pixels), values in [0, 1]; the coding has no rest period.

    Returns
    -------
    retina, inputs : ndarray of bool
        (n_presentations, n_steps, n_pixels) and (n_presentations, n_steps, 2·n_pixels):
        the spikes of every time step of every presentation.
    """
    import brian2

    monitors = [brian2.SpikeMonitor(net.network["retina"]), brian2.SpikeMonitor(net.input_group)]
    net.network.add(monitors)
    n, n_pixels = pixels.shape
    net.run(np.repeat(pixels, 2, axis=1) * net.coding.max_rate, np.zeros(n, dtype=int), False)
    net.network.remove(monitors)
    dt, start = float(net.coding.dt), float(net.network.t - n * net.period)  # the batch's first step
    steps = int(round(float(net.coding.presentation) / dt))
    trains = []
    for monitor, size in zip(monitors, (n_pixels, 2 * n_pixels)):
        step = np.rint((np.asarray(monitor.t[:]) - start) / dt).astype(int)
        spikes = np.zeros((n, steps, size), dtype=bool)
        spikes[step // steps, step % steps, np.asarray(monitor.i[:])] = True
        trains.append(spikes)
    return trains


def program_input_lif(trains, dt=1.0, v_rest=-65.0, v_threshold=-40.0, v_reset=-70.0, tau_m=12.0, r_m=35.0,
                      current=10.0):
    """Spikes of the published program's input LIF driven by retina trains, step by step as it runs.

    In mV, ms, MΩ and nA as the program's bare numbers: each step
    ``v += ((v_rest - v) + R·I)/tau_m · dt`` with ``I`` the pulse of that step's
    input spike, then ``v >= v_threshold`` fires and resets to ``v_reset``
    (its refractory period never takes effect).  Every presentation starts at rest.

    Parameters
    ----------
    trains : ndarray of bool
        (n_presentations, n_steps, n_neurons): input spikes per step.

    Returns
    -------
    ndarray of bool
        The output spikes, same shape.
    """
    trains = np.asarray(trains, dtype=bool)
    v = np.full((trains.shape[0], trains.shape[2]), v_rest)
    spikes = np.zeros_like(trains)
    for step in range(trains.shape[1]):
        v += ((v_rest - v) + r_m * current * trains[:, step]) / tau_m * dt
        spikes[:, step] = v >= v_threshold
        v[spikes[:, step]] = v_reset
    return spikes


def published_frelu(x):
    """The published third version's unit, line by line as it runs (one value at a time)."""
    a = max(x, 0.15 * x)
    if a > 1.0:
        a = 1.0 / (1.0 + np.exp(-2.0 * a))
    elif a < 0.0:
        a = 0.0
    return float(np.clip(a, 0.0, 1.0))


def rate_forward(weights, r_input, u0):
    """Activities ``f(W·r)`` of the rate units, ``f(u) = 1/(1+exp(-2u/u0))`` (reference model).

    Parameters
    ----------
    weights : dict
        ``"hidden1"`` (C, n_in, H1), …, ``"output"`` (C, H_last), before the
        presentation's update.
    r_input : ndarray
        Forward activity of the inputs, (n_in,): the input LIFs' spikes per step.

    Returns
    -------
    hidden : list of ndarray
        Each hidden layer's activity, (C, H_l).
    output : ndarray
        (C,).
    """
    def f(u):
        return 1 / (1 + np.exp(-2 * u / u0))

    hidden = [f(np.einsum("i,cij->cj", r_input, weights["hidden1"]))]
    for k in range(2, len(weights)):
        hidden.append(f(np.einsum("ci,cij->cj", hidden[-1], weights[f"hidden{k}"])))
    return hidden, f(np.einsum("ci,ci->c", hidden[-1], weights["output"]))


def ed_update(weights, s_input, hidden, output, label, learn, lr, dif, diffusion, sign_rule,
              hidden_d=None, output_d=None):
    """Apply one presentation's ED update to ``weights`` (dict, changed in place).

    Parameters
    ----------
    weights : dict
        ``"hidden1"`` (C, n_in, H1), …, ``"output"`` (C, H_last).
    s_input : ndarray
        Presynaptic activity of the inputs, (n_in,).
    hidden : list of ndarray
        Activity of each hidden layer, (C, H_l).
    output : ndarray
        Output activity, (C,).
    label : int
    learn : float
        0: no learning; else the factor on the learning rate (scales both amines).
    hidden_d, output_d : list of ndarray, ndarray, optional
        Activities in the derivative-like factor ``y(1-y)``, if not ``hidden``
        and ``output`` (``prior_scope="derivative"``).
    """
    n_classes = len(output)
    target = (np.arange(n_classes) == label).astype(float)
    err = target - output
    a_plus = np.maximum(err, 0) * learn
    a_minus = np.maximum(-err, 0) * learn
    n_hidden = len(hidden)
    pre_acts = [np.broadcast_to(s_input, (n_classes, len(s_input)))] + list(hidden)
    hidden_d = hidden if hidden_d is None else hidden_d
    output_d = output if output_d is None else output_d
    posts = list(hidden_d) + [output_d[:, None]]
    names = [f"hidden{k}" for k in range(1, n_hidden + 1)] + ["output"]
    for layer, (name, pre, post) in enumerate(zip(names, pre_acts, posts)):
        if name == "output":
            factor = 1.0
        elif diffusion == "compound":
            factor = dif ** (n_hidden - layer)
        else:
            factor = dif
        output_layer = name == "output"
        signs = weight_signs(n_classes, pre.shape[1], post.shape[1], sign_rule, output=output_layer)
        signs = signs[..., None] if output_layer else signs  # (C, n_pre, n_post)
        # Growing |w_ij| moves the class output by sign(w_ij)·ε_i, ε_i the sign of i's effect on it:
        # the synapse learns from the amine that asks for that direction (docs/dale.md).
        effect = effect_signs(post.shape[1], sign_rule, output_layer, last_hidden=layer == n_hidden - 1)
        toward_plus = signs * effect[None, None, :] > 0
        amine = factor * np.where(toward_plus, a_plus[:, None, None], a_minus[:, None, None])
        dw = lr * pre[:, :, None] * (post * (1 - post))[:, None, :] * signs * amine
        if output_layer:
            dw = dw[..., 0]
        weights[name] = weights[name] + dw
    return weights


def replay(net, pixels, labels, learn, w_start, counts, input_counts=None):
    """Replay a batch in numpy: the activities and weights the network should report.

    Parameters
    ----------
    net : EDNetwork
        Read for its settings only (sizes, model, ``ed``, ``coding``); its
        first-layer ``s`` must be the pixel value (``input_activity="rate"``).
    pixels : ndarray
        (n_presentations, n_inputs // 2), values in [0, 1].
    labels, learn : ndarray
        (n_presentations,).
    w_start : dict
        Weights before the batch (layout of ``EDNetwork.get_weights``).
    counts : dict or None
        Spiking model: recorded spike counts per layer, (n_presentations, n_units).
    input_counts : ndarray, optional
        Reference model: spike counts of the input LIFs, (n_presentations, n_inputs).

    Returns
    -------
    weights : dict
        After the batch.
    activity : dict
        Layer → (n_presentations, n_units) activity ``y`` of every presentation.
    """
    weights = {k: v.copy() for k, v in w_start.items()}
    names = [f"hidden{k}" for k in range(1, len(net.hidden) + 1)] + ["output"]
    n_max = float(net.ed.activity_max_rate * net.coding.presentation)
    n_steps = float(net.coding.presentation / net.coding.dt)
    activity = {name: [] for name in names}
    for p in range(len(labels)):
        if net.model == "reference":
            hidden, output = rate_forward(weights, input_counts[p] / n_steps, net.ed.sig)
            hidden_d, output_d = hidden, output
        else:
            ys = [count_activity(counts[n][p], n_max, net.ed.count_prior, net.ed.prior_scope,
                                 net.ed.saturated_learning) for n in names]
            hidden = [y.reshape(net.n_classes, -1) for y, _ in ys[:-1]]
            hidden_d = [y_d.reshape(net.n_classes, -1) for _, y_d in ys[:-1]]
            output, output_d = ys[-1]
        for name, y in zip(names, [*hidden, output]):
            activity[name].append(np.ravel(y))
        s_input = np.repeat(pixels[p], 2)  # input_activity="rate": s = x for E and I
        ed_update(weights, s_input, hidden, output, labels[p], learn[p], net.ed.lr, net.ed.dif,
                  net.ed.diffusion, net.ed.sign_rule, hidden_d=hidden_d, output_d=output_d)
    return weights, {name: np.array(rows) for name, rows in activity.items()}
