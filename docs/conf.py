"""Sphinx configuration of edsnn's documentation: ``sphinx-build -W -b html docs docs/_build/html``."""

from edsnn import __version__

project = "edsnn"
author = "the edsnn authors"
copyright = "2026, the edsnn authors"
version = release = __version__

extensions = [
    "myst_nb",                  # Markdown pages and notebooks (executed at build time)
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "sphinxcontrib.mermaid",    # the architecture diagram
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "figures/README.md"]
# .rst first: autosummary writes its generated pages with the first suffix
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# Markdown
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3
myst_fence_as_directive = ["mermaid"]

# Notebooks: executed on every build (each is a run of a minute or less); an error fails the build.
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# API reference
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"show-inheritance": True}
autodoc_typehints = "none"          # numpydoc renders the types of the docstrings
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

html_theme = "furo"
html_title = f"edsnn {version}"
html_static_path = []
templates_path = ["_templates"]
