"""Find label problems without a reference: rule checks, class statistics and, with a model, ObjectLab.

Entry point: ``lint_project(project, rules, predictions, options)`` -> ``LintResult`` (problems worst
first). The steps it runs (``collect`` / ``dataset_figures`` / ``finish``) are pure functions per image so
an executor can run them on workers with identical results.
"""

from pixelproof.core.lint.checks import Context, ImageFacts, ImageWork, collect
from pixelproof.core.lint.engine import (
    DatasetFigures,
    LintFailed,
    LintOptions,
    LintResult,
    dataset_figures,
    dismissed_keys,
    finish,
    image_works,
    is_label,
    lint_project,
)
from pixelproof.core.lint.pictures import Pictures, read_pictures
from pixelproof.core.lint.predictions import (
    PredictionsError,
    parse_predictions,
    pending_predictions,
    read_predictions,
)
from pixelproof.core.lint.problems import KINDS, MODEL_KINDS, PICTURE_KINDS, RULE_KINDS, Problem
from pixelproof.core.lint.rules import Rules, RulesError, load_rules_file, parse_rules, rules_of

__all__ = [
    "KINDS",
    "MODEL_KINDS",
    "PICTURE_KINDS",
    "RULE_KINDS",
    "Context",
    "DatasetFigures",
    "ImageFacts",
    "ImageWork",
    "LintFailed",
    "LintOptions",
    "LintResult",
    "Pictures",
    "PredictionsError",
    "Problem",
    "Rules",
    "RulesError",
    "collect",
    "dataset_figures",
    "dismissed_keys",
    "finish",
    "image_works",
    "is_label",
    "lint_project",
    "load_rules_file",
    "parse_predictions",
    "parse_rules",
    "pending_predictions",
    "read_pictures",
    "read_predictions",
    "rules_of",
]
