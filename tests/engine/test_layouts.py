from majicflux_desktop.engine import layouts


def test_real_layouts_hash_to_the_values_diffsynth_knows() -> None:
    # FACTS.md: the hashes diffsynth uses to recognise the real downloads.
    assert (
        layouts.layout_hash(layouts.flux_dit()) == "3394f306c4cbf04334b712bf5aaed95f"
    )  # majicflus_v134
    assert (
        layouts.layout_hash(layouts.flux_dit(prefix="")) == "a29710fea6dddb0314663ee823598e50"
    )  # flux1-dev
    assert layouts.layout_hash(layouts.clip_text()) == "94eefa3dac9cec93cb1ebaf1747d7b78"
    assert layouts.layout_hash(layouts.t5_encoder()) == "22540b49eaedbc2f2784b2091a234c7c"
    assert layouts.layout_hash(layouts.flux_vae()) == "21ea55f476dfc4fd135587abb59dfe5d"


def test_diffsynth_still_knows_the_hashes() -> None:
    from diffsynth.configs import MODEL_CONFIGS

    known = {c["model_hash"] for c in MODEL_CONFIGS}
    for layout in (
        layouts.flux_dit(prefix=""),
        layouts.clip_text(),
        layouts.t5_encoder(),
        layouts.flux_vae(),
    ):
        assert layouts.layout_hash(layout) in known


def test_majicflus_dit_has_780_tensors_and_12b_parameters() -> None:
    dit = layouts.flux_dit()
    assert len(dit) == 780
    total = sum(eval("*".join(map(str, shape))) for shape in dit.values())
    assert 11.8e9 < total < 12.0e9


def test_t5_shards_cover_the_layout_once() -> None:
    full = layouts.t5_encoder()
    first, second = layouts.split_t5_shards(full)
    assert not set(first) & set(second)
    assert {**first, **second} == full


def test_tiny_layouts_keep_the_real_names() -> None:
    tiny = layouts.tiny_layouts()
    real_vae, tiny_vae = layouts.flux_vae(), tiny["vae"]
    assert set(real_vae) == set(tiny_vae)
    assert set(layouts.clip_text(layers=2)) == set(tiny["clip"])
    assert all(name.startswith(layouts.DIT_PREFIX) for name in tiny["dit"])
    hashes = {layouts.layout_hash(layout) for layout in tiny.values()}
    assert len(hashes) == 4
