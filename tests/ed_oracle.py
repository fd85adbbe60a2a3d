"""A small numpy rendering of the ED rule (ED_SPEC §1): the test oracle.

Given the activities that a Brian2 run recorded for each presentation, it
replays the weight updates in plain numpy.  The package never uses it: the
rule that runs is the generated code in ``edsnn.model.equations``.
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
    label, learn : int, bool
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
        pre_type = input_signs(pre.shape[1])
        amine = np.where(pre_type[None, :] > 0, factor * a_plus[:, None], factor * a_minus[:, None])
        output_layer = name == "output"
        signs = weight_signs(n_classes, pre.shape[1], post.shape[1], sign_rule, output=output_layer)
        if output_layer:
            dw = lr * pre * (post * (1 - post)) * signs * amine
        else:
            dw = lr * pre[:, :, None] * (post * (1 - post))[:, None, :] * signs * amine[:, :, None]
        weights[name] = weights[name] + dw
    return weights
