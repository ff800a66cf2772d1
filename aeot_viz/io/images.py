"""Pictures written by the CLI: image grids and small scatter plots, as PIL images (no plotting library)."""

from __future__ import annotations

import numpy as np

__all__ = ["image_grid", "scatter_png", "png_data_url"]


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


def scatter_png(background, points, size: int = 480):
    """Grey background points and black foreground points (both (n, 2)) as a square PIL image."""
    from PIL import Image, ImageDraw

    bg = np.asarray(background, dtype=np.float64)[:, :2]
    fg = np.asarray(points, dtype=np.float64)[:, :2]
    allp = np.concatenate([bg, fg])
    lo, hi = allp.min(0), allp.max(0)
    span = np.maximum(hi - lo, 1e-12).max()
    img = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(img)

    def px(p):
        q = (p - lo) / span * (size - 20) + 10
        return q[:, 0], size - q[:, 1]

    for (xs, ys), colour in ((px(bg), (190, 190, 190)), (px(fg), (200, 30, 30))):
        for x, y in zip(xs, ys):
            draw.ellipse([x - 1.5, y - 1.5, x + 1.5, y + 1.5], fill=colour)
    return img


def png_data_url(image, scale: int = 1) -> str:
    """One image (C, H, W) with values in [0, 1] as a ``data:image/png;base64,...`` URL (for table cells)."""
    import base64
    import io

    buf = io.BytesIO()
    image_grid(np.asarray(image)[None], ncols=1, pad=0, scale=scale).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
