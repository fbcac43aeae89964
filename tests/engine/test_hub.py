"""The hub side of downloads: where a source's files are listed and fetched from."""

from __future__ import annotations

import pytest

from majicflux_desktop.core.i18n import UserError
from majicflux_desktop.engine import catalog, hub
from majicflux_desktop.engine.hub import HUGGINGFACE, MODELSCOPE, Source

FLUX = catalog.FLUX_DEV


def test_parse_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    monkeypatch.delenv("MODELSCOPE_ENDPOINT", raising=False)
    assert hub.parse_source("modelscope") == Source(MODELSCOPE, "https://modelscope.cn", "ModelScope")  # fmt: skip
    assert hub.parse_source("HuggingFace").endpoint == "https://huggingface.co"
    assert hub.parse_source("hf-mirror") == Source(HUGGINGFACE, "https://hf-mirror.com", "hf-mirror.com")  # fmt: skip
    assert hub.parse_source("https://mirror.example/hf/").endpoint == "https://mirror.example/hf"
    assert hub.parse_source("https://www.modelscope.ai").api == MODELSCOPE
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.com")
    assert hub.parse_source("huggingface").name == "hf-mirror.com"
    with pytest.raises(UserError, match="Unknown download source"):
        hub.parse_source("ftp://x")


@pytest.mark.parametrize("address", ["https://[x", "https://mirror.example:80a"])
def test_a_malformed_mirror_address_is_named_with_the_fix(address: str) -> None:
    with pytest.raises(UserError) as info:
        hub.parse_source(address)
    assert f"{address} is not a valid web address" in info.value.text()
    assert "for example https://hf-mirror.com" in info.value.text()


def test_url_shapes_follow_the_hub_clients() -> None:
    ms = hub.HubClient(Source(MODELSCOPE, "https://modelscope.cn", "ModelScope"))
    assert ms.listing_url(FLUX) == "https://modelscope.cn/api/v1/models/black-forest-labs/FLUX.1-dev/repo/files?Revision=master&Recursive=True"  # fmt: skip
    assert ms.file_url(FLUX, "text_encoder_2/model-00001-of-00002.safetensors") == "https://modelscope.cn/api/v1/models/black-forest-labs/FLUX.1-dev/repo?Revision=master&FilePath=text_encoder_2%2Fmodel-00001-of-00002.safetensors"  # fmt: skip
    hf = hub.HubClient(Source(HUGGINGFACE, "https://huggingface.co", "Hugging Face"))
    assert hf.listing_url(FLUX) == "https://huggingface.co/api/models/black-forest-labs/FLUX.1-dev/tree/main?recursive=true"  # fmt: skip
    assert hf.file_url(FLUX, "text_encoder/model.safetensors") == "https://huggingface.co/black-forest-labs/FLUX.1-dev/resolve/main/text_encoder/model.safetensors"  # fmt: skip
