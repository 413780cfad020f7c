"""The reranking cascade with the real models: the distilled student reads every pair, the teacher its best few."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.cascade import Cascade
from bot.errors import ModelUnavailableError
from bot.pipeline import PolicyBot, reranker
from bot.rerank import CrossEncoder
from bot.settings import Settings, packaged_small_reranker

QUERY = "will you hand my details over to advertisers for money?"
PASSAGES = [  # sentences of the shipped policy: the student was distilled on passages of it
    "Cookies are small text files that your web browser leaves on your hard drive to recognize you as a repeat "
    "user of the Sites, track your use of the Sites and target marketing and advertising.",
    "We do not sell, trade, or otherwise transfer to outside parties your personal information.",
    "The Company does not attempt to, or knowingly ask for or, collect information from any person under the age "
    "of 13.",
    "Information gathered from cookies in this way is only used on an aggregate basis.",
]


@pytest.fixture(scope="module")
def teacher(reranker_dir: str) -> CrossEncoder:
    return CrossEncoder(reranker_dir, cache_size=0)


@pytest.fixture(scope="module")
def student() -> CrossEncoder:
    return CrossEncoder(packaged_small_reranker(), cache_size=0, name="small reranker")


def test_the_student_ranks_like_its_teacher_on_the_teachers_scale(student: CrossEncoder, teacher: CrossEncoder) -> None:
    mine, theirs = student.score(QUERY, PASSAGES), teacher.score(QUERY, PASSAGES)
    assert int(np.argmax(mine)) == int(np.argmax(theirs)) == 1
    # distilled on the teacher's logits: the same scale (held-out mean error 1.2), so the vote weights and the
    # calibration fitted on the teacher's still apply
    assert float(np.abs(mine - theirs).mean()) < 3.0


def test_the_teacher_rescores_only_the_students_best(student: CrossEncoder, teacher: CrossEncoder) -> None:
    alone = student.score(QUERY, PASSAGES)
    both = Cascade(student, teacher, teacher_top=2).score(QUERY, PASSAGES)
    best = np.argsort(-alone, kind="stable")[:2]
    rest = [i for i in range(len(PASSAGES)) if i not in best]
    assert both[best].tolist() == teacher.score(QUERY, [PASSAGES[i] for i in best]).tolist()
    assert both[rest].tolist() == alone[rest].tolist()
    assert Cascade(student, teacher, teacher_top=0).score(QUERY, PASSAGES).tolist() == alone.tolist()
    assert Cascade(student, None, teacher_top=3).score(QUERY, []).shape == (0,)


def test_the_bot_reads_with_the_cascade_only_when_a_student_is_set(tmp_path: Path) -> None:
    assert isinstance(reranker(Settings(cascade=True)), Cascade)
    assert isinstance(reranker(Settings()), CrossEncoder)  # off by default: the teacher reads every pair
    assert isinstance(reranker(Settings(cascade=True, small_reranker_dir="")), CrossEncoder)
    missing = reranker(Settings(cascade=True, small_reranker_dir=str(tmp_path)))
    assert missing is not None
    with pytest.raises(ModelUnavailableError, match=r"small reranker.*train_reranker"):
        missing.warm_up()
    with pytest.raises(ValueError, match="teacher_top"):
        Cascade(CrossEncoder(str(tmp_path)), None, teacher_top=-1)


def test_a_bot_with_the_cascade_answers_from_the_same_place(bot: PolicyBot, settings: Settings) -> None:
    fast = PolicyBot(settings.model_copy(update={"cascade": True}))
    fast.warm_up(rebuild=False)
    assert isinstance(fast.reranker, Cascade)
    for question in (QUERY, "is there a minimum age for opening an account?"):
        mine, theirs = fast.ask(question), bot.ask(question)
        assert not mine.refused and not theirs.refused
        assert mine.citations[0].section == theirs.citations[0].section
        assert mine.citations[0].quote in (fast.files(mine.citations[0].source) or "")  # verbatim, as every quote
