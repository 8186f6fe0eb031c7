"""The compiled questionnaire of a version: its questions in page order with their section, options,
condition and plan links, which is all that pages, validation and visibility need.

A frozen version never changes (DESIGN.md, "Frozen versions"), so it is compiled once per process and
reused by every request of every organisation answering it. A version that is not frozen (a draft being
edited) is read afresh each time, so an edit shows at once. The cache key holds the version's id, its
creation time and its freezing time, so a version row that is replaced (or a test database that reuses
ids) never meets another version's questions.

The questions are shared between requests and threads: treat them as read-only (copy one before
setting attributes on it)."""

import threading
from dataclasses import dataclass, field

from .models import Question, Questionnaire, QuestionnaireVersion

MAX_VERSIONS = 128  # a year has a handful of open versions; the bound only guards against growth

_cache = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class CompiledVersion:
    version_id: int
    kind: str
    questions: tuple
    by_code: dict = field(repr=False)

    @property
    def is_activity(self):
        return self.kind == Questionnaire.Kind.ACTIVITY


def _compile(version_id):
    questions = tuple(
        Question.objects.filter(version_id=version_id)
        .select_related("section", "condition_question", "activity", "indicator")
        .prefetch_related("options")
        .order_by("section__order", "order")
    )
    kind = (
        QuestionnaireVersion.objects.filter(pk=version_id)
        .values_list("questionnaire__kind", flat=True)
        .first()
    )
    return CompiledVersion(
        version_id=version_id, kind=kind or "", questions=questions, by_code={q.code: q for q in questions}
    )


def compiled_version(version):
    """The compiled questionnaire of `version` (a QuestionnaireVersion): from the process's cache when
    the version is frozen, read from the database (three queries) when it is not."""
    if version.frozen_at is None:
        return _compile(version.pk)
    key = (version.pk, version.created_at, version.frozen_at)
    compiled = _cache.get(key)
    if compiled is None:
        compiled = _compile(version.pk)
        with _lock:
            if len(_cache) >= MAX_VERSIONS:
                _cache.clear()
            _cache[key] = compiled
    return compiled


def clear_cache():
    with _lock:
        _cache.clear()
