"""Pictures written by the CLI: image grids and small scatter plots, as PIL images (no plotting library)."""

from __future__ import annotations

import numpy as np

__all__ = ["image_grid", "scatter_png", "png_data_url", "nice_ticks", "drawing_png"]


def image_grid(images, ncols: int | None = None, pad: int = 2, scale: int = 2):
    """Tile images (n, C, H, W) with values in [0, 1] into one PIL image, ``ncols`` per row."""
    from PIL import Image

    imgs = np.clip(np.asarray(images, dtype=np.float32), 0, 1)
    if imgs.ndim != 4 or len(imgs) == 0:
        raise ValueError(f"image_grid needs images of shape (n, C, H, W), got {imgs.shape}.")
    n, c, hgt, wid = imgs.shape
    ncols = ncols or int(np.ceil(np.sqrt(n)))
    nrows = int(np.ceil(n / ncols))
    canvas = np.ones((c, nrows * (hgt + pad) + pad, ncols * (wid + pad) + pad), dtype=np.float32)
    for k in range(n):
        r, q = divmod(k, ncols)
        y0, x0 = pad + r * (hgt + pad), pad + q * (wid + pad)
        canvas[:, y0 : y0 + hgt, x0 : x0 + wid] = imgs[k]
    arr = (canvas * 255).round().astype(np.uint8)
    img = Image.fromarray(arr[0] if c == 1 else np.moveaxis(arr, 0, -1)[..., :3])
    return img.resize((img.width * scale, img.height * scale), Image.NEAREST)


def nice_ticks(lo: float, hi: float, n: int = 5) -> np.ndarray:
    """About ``n`` round tick values (steps of 1, 2 or 5 times a power of ten) inside ``[lo, hi]``."""
    span = float(hi) - float(lo)
    if not np.isfinite(span) or span <= 0:
        return np.array([float(lo)])
    mag = 10.0 ** np.floor(np.log10(span / max(n - 1, 1)))
    for m in (1, 2, 5, 10, 20):  # the finest round step that gives at most n + 1 ticks
        step = m * mag
        ticks = np.arange(np.ceil(lo / step) * step, hi + step * 1e-9, step)
        if len(ticks) <= n + 1:
            break
    return np.round(ticks, 12)


def _tick_text(v: float, step: float) -> str:
    decimals = max(0, -int(np.floor(np.log10(step)))) if step > 0 else 0
    return f"{v:.{decimals}f}" if decimals < 6 else f"{v:.2g}"


def scatter_png(background, points, size: int = 480, *, xlabel: str = "coordinate 1", ylabel: str = "coordinate 2",
                title: str | None = None, labels: tuple = ("training data", "generated")):
    """Grey background points and red foreground points (both (n, 2)) on titled axes, as a PIL image.

    The plot has a frame, round tick values on both axes, axis titles, a legend naming the two sets and an
    optional title; both axes share one scale, so distances look as they are.

    Parameters
    ----------
    background, points : array-like, shape (n, 2) and (m, 2)
    size : int
        Side of the plotting square in pixels (the image adds margins for ticks and titles).
    xlabel, ylabel, title : str
    labels : (str, str)
        Legend entries of the background and foreground points.
    """
    from PIL import Image, ImageDraw, ImageFont

    bg = np.asarray(background, dtype=np.float64)[:, :2]
    fg = np.asarray(points, dtype=np.float64)[:, :2]
    allp = np.concatenate([bg, fg])
    if len(allp) == 0 or not np.isfinite(allp).all():
        raise ValueError("scatter_png needs finite points of shape (n, 2).")
    lo, hi = allp.min(0), allp.max(0)
    span = max(float(np.max(hi - lo)), 1e-12) * 1.06  # one scale on both axes, a small margin around the points
    centre = (lo + hi) / 2
    lo, hi = centre - span / 2, centre + span / 2
    font = ImageFont.load_default(size=13)
    small = ImageFont.load_default(size=11)
    left, right, top, bottom = 64, 16, 36 if title else 14, 52
    img = Image.new("RGB", (left + size + right, top + size + bottom), "white")
    draw = ImageDraw.Draw(img)

    def px(p):
        q = (np.atleast_2d(p) - lo) / span * size
        return left + q[:, 0], top + size - q[:, 1]

    draw.rectangle([left, top, left + size, top + size], outline=(60, 60, 60))
    for axis in (0, 1):
        ticks = nice_ticks(lo[axis], hi[axis])
        step = ticks[1] - ticks[0] if len(ticks) > 1 else span
        for t in ticks:
            text = _tick_text(t, step)
            if axis == 0:
                x = left + (t - lo[0]) / span * size
                draw.line([x, top + size, x, top + size + 5], fill=(60, 60, 60))
                draw.text((x, top + size + 7), text, fill=(40, 40, 40), font=small, anchor="mt")
            else:
                y = top + size - (t - lo[1]) / span * size
                draw.line([left - 5, y, left, y], fill=(60, 60, 60))
                draw.text((left - 7, y), text, fill=(40, 40, 40), font=small, anchor="rm")
    draw.text((left + size / 2, top + size + 30), xlabel, fill=(0, 0, 0), font=font, anchor="mt")
    label = Image.new("RGB", (size, 18), "white")
    ImageDraw.Draw(label).text((size / 2, 9), ylabel, fill=(0, 0, 0), font=font, anchor="mm")
    img.paste(label.rotate(90, expand=True), (4, top))
    if title:
        draw.text((left + size / 2, 10), title, fill=(0, 0, 0), font=font, anchor="mt")
    colours = ((190, 190, 190), (200, 30, 30))
    for pts, colour in zip((bg, fg), colours):
        xs, ys = px(pts) if len(pts) else ((), ())
        for x, y in zip(xs, ys):
            draw.ellipse([x - 1.5, y - 1.5, x + 1.5, y + 1.5], fill=colour)
    x0, y0 = left + 8, top + 8  # legend, top left inside the frame
    for k, (name, colour) in enumerate(zip(labels, colours)):
        draw.ellipse([x0, y0 + 16 * k + 3, x0 + 7, y0 + 16 * k + 10], fill=colour)
        draw.text((x0 + 12, y0 + 16 * k), name, fill=(0, 0, 0), font=small)
    return img


def png_data_url(image, scale: int = 1) -> str:
    """One image (C, H, W) with values in [0, 1] as a ``data:image/png;base64,...`` URL (for table cells)."""
    import base64
    import io

    buf = io.BytesIO()
    image_grid(np.asarray(image)[None], ncols=1, pad=0, scale=scale).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def drawing_png(points, size: int = 400, radius: float = 2.0):
    """The Playground's canvas: points (n, 2) in [-1, 1]^2 as dark dots on a white square with a light grid.

    Pixel ``(px, py)`` shows the drawing point ``(2 px / size - 1, 1 - 2 py / size)``, the mapping
    :func:`aeot_viz.data.drawing.strokes_from_canvas` inverts.
    """
    from PIL import Image, ImageDraw

    P = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    img = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(img)
    for k in range(1, 8):  # grid lines every 0.25 drawing units
        q = k * size / 8
        colour = (200, 200, 200) if k == 4 else (235, 235, 235)
        draw.line([q, 0, q, size], fill=colour)
        draw.line([0, q, size, q], fill=colour)
    px = (P[:, 0] + 1) * size / 2
    py = (1 - P[:, 1]) * size / 2
    for x, y in zip(px, py):
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=(40, 40, 140))
    return img
