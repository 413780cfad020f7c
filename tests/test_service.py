"""The service in front of the bot: a repeated question is answered from the cache, and still logged."""

from __future__ import annotations

from pathlib import Path

from bot.followup import Turn
from bot.serve.service import Service
from bot.serve.store import Store
from bot.settings import Settings


def test_repeated_question_comes_from_the_cache(settings: Settings, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{(tmp_path / 'log.db').as_posix()}")
    service = Service(settings.model_copy(update={"answer_cache_size": 8}), store)
    try:
        service.warm_up()
        assert service.state == "ready", service.error
        first_id, first = service.ask("Do you use cookies?", [], "api")
        second_id, second = service.ask("Do you use cookies?", [], "api")
        followup_id, followup = service.ask("how do I turn them off?", [Turn("user", "Do you use cookies?")], "api")
        assert second is first
        assert followup is not first
        assert (service.answers.hits, service.answers.misses) == (1, 2)
        assert len({first_id, second_id, followup_id}) == 3  # every question is logged
    finally:
        store.close()
