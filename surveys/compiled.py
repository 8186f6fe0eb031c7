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
from collections.abc import Callable
from dataclasses import dataclass, field

from .models import Question, Questionnaire, QuestionnaireVersion

MAX_VERSIONS = 128  # a year has a handful of open versions; the bound only guards against growth
MAX_ORGANISATIONS = 10_000  # per version: a nation-wide round's organisations

_cache = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class CompiledVersion:
    version_id: int
    kind: str
    questions: tuple
    by_code: dict = field(repr=False)
    # Who answers what is stored with the version when its first round opens; until then (or for a
    # version frozen before that was stored) it follows the live plan and is read afresh.
    responsibilities_frozen: bool = False
    _per_organisation: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_activity(self) -> bool:
        return self.kind == Questionnaire.Kind.ACTIVITY

    def questions_for(self, organisation_id: int, select: Callable[[int], tuple]) -> tuple:
        """The questions one organisation answers, `select(organisation_id)` worked out once per
        organisation while who answers what is stored with the version, afresh otherwise."""
        if not self.responsibilities_frozen:
            return select(organisation_id)
        questions = self._per_organisation.get(organisation_id)
        if questions is None:
            questions = select(organisation_id)
            with _lock:
                if len(self._per_organisation) >= MAX_ORGANISATIONS:
                    self._per_organisation.clear()
                self._per_organisation[organisation_id] = questions
        return questions


def _compile(version_id: int) -> CompiledVersion:
    questions = tuple(
        Question.objects.filter(version_id=version_id)
        .select_related("section", "condition_question", "activity", "indicator")
        .prefetch_related("options")
        .order_by("section__order", "order")
    )
    kind, responsibilities_frozen = (
        QuestionnaireVersion.objects.filter(pk=version_id)
        .values_list("questionnaire__kind", "responsibilities_frozen")
        .first()
    ) or ("", False)
    return CompiledVersion(
        version_id=version_id,
        kind=kind,
        questions=questions,
        by_code={q.code: q for q in questions},
        responsibilities_frozen=responsibilities_frozen,
    )


def compiled_version(version: QuestionnaireVersion) -> CompiledVersion:
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


def clear_cache() -> None:
    with _lock:
        _cache.clear()
