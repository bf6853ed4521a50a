"""convlab.figures: every figure regenerates, GIF frame counts follow their parameters."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import convlab  # noqa: E402
from convlab import figures  # noqa: E402

NAMES = ["cnn.png", "kertypes.png", "rgb.gif", "rgb2.gif", "convo.gif", "pooling_layer.gif",
         "max_pool_avg.png", "same_padding.gif", "pointwise.png", "ceil_mode.png"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("fig")
    assert figures.main(["--out", str(out)]) == 0
    return out


def test_the_essay_figures_and_the_course_figures_are_written(built):
    assert sorted(p.name for p in built.iterdir()) == sorted(NAMES)
    assert sorted(name for name, _ in figures.FIGURES.values()) == sorted(NAMES)


def _expected_frames(params):
    stride = params.get("stride", 1)
    padding = params.get("padding", 0)
    side = convlab.output_size(params["input_size"], params["kernel_size"], stride, padding)
    return side * side


@pytest.mark.parametrize("name", [n for n in figures.GIF_PARAMETERS])
def test_gif_frame_counts_follow_parameters(built, name):
    expected = _expected_frames(figures.GIF_PARAMETERS[name])
    with Image.open(built / f"{name}.gif") as gif:
        assert gif.n_frames == expected > 1


def test_expected_frame_counts_by_hand():
    # 5x5 with padding 1 and a 3x3 kernel: 5x5 outputs; 7x7, 3x3 pooling, stride 2: 3x3
    assert [_expected_frames(figures.GIF_PARAMETERS[n]) for n in
            ("rgb", "rgb2", "convo", "pooling_layer", "same_padding")] == [25, 25, 25, 9, 25]


@pytest.mark.parametrize("name", NAMES)
def test_figures_are_small_and_opaque(built, name):
    path = built / name
    assert path.stat().st_size < 1.5 * 2**20
    with Image.open(path) as im:
        im.seek(0)
        rgb = im.convert("RGB")
        assert rgb.getpixel((1, 1)) == (255, 255, 255)  # white background, not transparent
        assert 300 <= im.width <= 1400


@pytest.mark.parametrize("name", ["cnn.png", "kertypes.png", "max_pool_avg.png", "pointwise.png",
                                  "ceil_mode.png"])
def test_png_has_no_software_or_time_stamp(built, name):
    with Image.open(built / name) as im:
        assert not {"Software", "Creation Time", "date:create"} & set(im.info)


def test_rebuild_is_byte_identical(built, tmp_path):
    for name in ("max_pool_avg", "pooling_layer"):
        again = figures.build(name, tmp_path)
        assert again.read_bytes() == (built / again.name).read_bytes()


def test_cli_only_prints_a_progress_line_per_figure(tmp_path, capsys):
    assert figures.main(["--out", str(tmp_path), "--only", "max_pool_avg", "cnn"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("[1/2] ") and "max_pool_avg.png" in lines[0]
    assert lines[1].startswith("[2/2] ") and "cnn.png" in lines[1]
    assert lines[2].startswith("wrote 2 figure(s)")


def test_unknown_figure_name():
    with pytest.raises(ValueError, match="name must be one of cnn, kertypes"):
        figures.build("nope", "/tmp")
    with pytest.raises(SystemExit):
        figures.main(["--only", "nope"])


def test_no_pyplot_figures_leak(built):
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []
