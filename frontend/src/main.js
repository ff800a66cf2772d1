/*
 * GAN Lab views for the Playground, in a Streamlit component (the v1 protocol, without React).
 *
 * Python sends (args): the drawing and its normalisation, the generator kind, a token that changes with the
 * drawing or the kind (a new token restarts the GAN), AE-OT's grid mesh (computed once per drawing on the
 * server) and the plot box. The GAN trains here, a few milliseconds of every animation frame; the views are redrawn
 * every frame; every `reportEvery` seconds (and on Pause, Step and Restart) the step count, the losses and
 * `sampleN` samples in data coordinates go back to Python, which scores them.
 */
(function () {
  "use strict";
  var E = window.GanEngine;

  // ---- the Streamlit component protocol ----------------------------------------------------------------------------
  function send(type, data) {
    var msg = { isStreamlitMessage: true, type: type };
    for (var k in data) msg[k] = data[k];
    window.parent.postMessage(msg, "*");
  }
  function setValue(value) { send("streamlit:setComponentValue", { value: value, dataType: "json" }); }
  function setHeight() { send("streamlit:setFrameHeight", { height: document.body.scrollHeight + 8 }); }

  // ---- state -------------------------------------------------------------------------------------------------------
  var S = { args: null, token: null, trainer: null, running: false, lastReport: 0, frames: 0, renders: 0,
            fpsT0: performance.now(), fps: 0, stepsT0: 0, stepRate: 0, sampleSeed: 11 };
  window.ganLab = S;  // for the browser tests and the curious

  var $ = function (id) { return document.getElementById(id); };
  var ganCanvas = $("gan"), otCanvas = $("aeot");
  var PAD = { l: 44, r: 10, t: 22, b: 62 };  // the title above the box, the legend under the x axis

  function box() { var v = S.args.view; return { x0: v[0], x1: v[1], y0: v[2], y1: v[3] }; }
  function toPx(c, x, y) {
    var b = box(), w = c.width - PAD.l - PAD.r, h = c.height - PAD.t - PAD.b;
    return [PAD.l + (x - b.x0) / (b.x1 - b.x0) * w, PAD.t + (1 - (y - b.y0) / (b.y1 - b.y0)) * h];
  }
  function toData(p) { return [S.args.center[0] + S.args.scale * p[0], S.args.center[1] + S.args.scale * p[1]]; }

  function axes(ctx, c, title) {
    var b = box();
    ctx.strokeStyle = "#555"; ctx.lineWidth = 1; ctx.fillStyle = "#222";
    ctx.strokeRect(PAD.l, PAD.t, c.width - PAD.l - PAD.r, c.height - PAD.t - PAD.b);
    ctx.font = "12px sans-serif"; ctx.textAlign = "center";
    for (var t = Math.ceil(b.x0 * 2) / 2; t <= b.x1 + 1e-9; t += 0.5) {
      var p = toPx(c, t, b.y0);
      ctx.beginPath(); ctx.moveTo(p[0], p[1]); ctx.lineTo(p[0], p[1] + 4); ctx.stroke();
      ctx.fillText(t.toFixed(1), p[0], p[1] + 16);
    }
    ctx.textAlign = "right";
    for (var u = Math.ceil(b.y0 * 2) / 2; u <= b.y1 + 1e-9; u += 0.5) {
      var q = toPx(c, b.x0, u);
      ctx.beginPath(); ctx.moveTo(q[0] - 4, q[1]); ctx.lineTo(q[0], q[1]); ctx.stroke();
      ctx.fillText(u.toFixed(1), q[0] - 6, q[1] + 4);
    }
    ctx.textAlign = "center";
    ctx.fillText("x1", PAD.l + (c.width - PAD.l - PAD.r) / 2, c.height - PAD.b + 32);
    ctx.save(); ctx.translate(12, PAD.t + (c.height - PAD.t - PAD.b) / 2); ctx.rotate(-Math.PI / 2);
    ctx.fillText("x2", 0, 0); ctx.restore();
    if (title) { ctx.textAlign = "left"; ctx.font = "bold 13px sans-serif"; ctx.fillText(title, PAD.l, PAD.t - 7); }
  }

  function dots(ctx, c, pts, colour, r) {
    ctx.fillStyle = colour;
    for (var i = 0; i < pts.length; i++) {
      var p = toPx(c, pts[i][0], pts[i][1]);
      ctx.beginPath(); ctx.arc(p[0], p[1], r, 0, 2 * Math.PI); ctx.fill();
    }
  }

  // the discriminator's output as a heat map: green where it says "real", purple where it says "fake"
  var heat = document.createElement("canvas"), HEAT = 24;
  heat.width = heat.height = HEAT;
  function heatMap(ctx, c) {
    var b = box(), tr = S.trainer, cx = S.args.center, sc = S.args.scale;
    var vals = tr.discriminatorGrid(HEAT, (b.x0 - cx[0]) / sc, (b.x1 - cx[0]) / sc, (b.y0 - cx[1]) / sc,
                                    (b.y1 - cx[1]) / sc);
    var spread = 0;
    if (tr.o.kind !== "gan") {  // a critic's values are unbounded: squash by their spread
      var mean = 0, i;
      for (i = 0; i < vals.length; i++) mean += vals[i] / vals.length;
      for (i = 0; i < vals.length; i++) spread += (vals[i] - mean) * (vals[i] - mean) / vals.length;
      spread = Math.sqrt(spread) || 1;
      for (i = 0; i < vals.length; i++) vals[i] = 1 / (1 + Math.exp(-(vals[i] - mean) / spread));
    }
    var hctx = heat.getContext("2d"), img = hctx.createImageData(HEAT, HEAT);
    for (var a = 0; a < HEAT; a++) for (var k = 0; k < HEAT; k++) {
      var v = vals[a * HEAT + k], o = ((HEAT - 1 - a) * HEAT + k) * 4;  // row 0 of vals is the bottom
      img.data[o] = Math.round(255 - 120 * v); img.data[o + 1] = Math.round(200 + 40 * v - 80 * (1 - v));
      img.data[o + 2] = Math.round(255 - 150 * v); img.data[o + 3] = 150;
    }
    hctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(heat, PAD.l, PAD.t, c.width - PAD.l - PAD.r, c.height - PAD.t - PAD.b);
  }

  var MESH_RES = 17, MESH_LIM = 2.5;
  function ganMesh(ctx, c) {
    var img = S.trainer.noiseGridImage(MESH_RES, MESH_LIM), R = MESH_RES, d = S.trainer.dim;
    var px = new Array(R * R);
    for (var i = 0; i < R * R; i++) px[i] = toPx(c, S.args.center[0] + S.args.scale * img[i * d],
                                                  S.args.center[1] + S.args.scale * img[i * d + 1]);
    ctx.strokeStyle = "rgba(40, 70, 160, 0.55)"; ctx.lineWidth = 1;
    ctx.beginPath();
    for (var a = 0; a < R; a++) for (var b = 0; b < R; b++) {
      var p = px[a * R + b];
      if (b + 1 < R) { ctx.moveTo(p[0], p[1]); ctx.lineTo(px[a * R + b + 1][0], px[a * R + b + 1][1]); }
      if (a + 1 < R) { ctx.moveTo(p[0], p[1]); ctx.lineTo(px[(a + 1) * R + b][0], px[(a + 1) * R + b][1]); }
    }
    ctx.stroke();
  }

  function legend(ctx, c, items) {  // one row under the x axis label
    ctx.font = "11px sans-serif"; ctx.textAlign = "left";
    var x = PAD.l, yy = c.height - 10;
    items.forEach(function (it) {
      ctx.fillStyle = it.colour; ctx.strokeStyle = it.colour;
      if (it.line) { ctx.lineWidth = 2; ctx.beginPath(); ctx.moveTo(x, yy); ctx.lineTo(x + 14, yy); ctx.stroke(); }
      else if (it.box) ctx.fillRect(x, yy - 5, 14, 10);
      else { ctx.beginPath(); ctx.arc(x + 7, yy, 3, 0, 2 * Math.PI); ctx.fill(); }
      ctx.fillStyle = "#222"; ctx.fillText(it.label, x + 18, yy + 4);
      x += 26 + ctx.measureText(it.label).width;
    });
  }

  function drawGan() {
    var c = ganCanvas, ctx = c.getContext("2d");
    ctx.clearRect(0, 0, c.width, c.height);
    if ($("show-heat").checked) heatMap(ctx, c);
    if ($("show-mesh").checked) ganMesh(ctx, c);
    dots(ctx, c, S.args.points, "rgba(90, 90, 90, 0.45)", 2);
    if ($("show-samples").checked) dots(ctx, c, S.trainer.sample(300, S.sampleSeed).map(toData), "#e4572e", 2.2);
    axes(ctx, c, (S.trainer.o.kind === "gan" ? "GAN" : "WGAN-GP") + ", " + S.trainer.steps + " steps");
    legend(ctx, c, [{ label: "data", colour: "rgba(90,90,90,0.8)" }, { label: "generated", colour: "#e4572e" },
                    { label: "generator's grid image", colour: "rgba(40,70,160,0.8)", line: true },
                    { label: S.trainer.o.kind === "gan" ? "D: real (green) / fake (pink)" : "critic: high (green) / low",
                      colour: "rgb(150,230,110)", box: true }]);
  }

  function drawAeot() {
    var c = otCanvas, ctx = c.getContext("2d"), m = S.args.aeot;
    ctx.clearRect(0, 0, c.width, c.height);
    if (m) {  // the grid's edges: (a, b)-(a, b+1) for every row, then (a, b)-(a+1, b); m.torn names the torn ones
      var px = m.image.map(function (p) { return toPx(c, p[0], p[1]); }), R = m.res, torn = {}, e = 0;
      m.torn.forEach(function (k) { torn[k] = true; });
      ctx.strokeStyle = "rgba(40, 70, 160, 0.55)"; ctx.lineWidth = 1; ctx.beginPath();
      var seg = function (i, j) {
        if (!torn[e]) { ctx.moveTo(px[i][0], px[i][1]); ctx.lineTo(px[j][0], px[j][1]); }
        e += 1;
      };
      for (var a = 0; a < R; a++) for (var b = 0; b + 1 < R; b++) seg(a * R + b, a * R + b + 1);
      for (var a2 = 0; a2 + 1 < R; a2++) for (var b2 = 0; b2 < R; b2++) seg(a2 * R + b2, (a2 + 1) * R + b2);
      ctx.stroke();
    }
    dots(ctx, c, S.args.points, "rgba(90, 90, 90, 0.45)", 2);
    if (S.args.aeotSamples) dots(ctx, c, S.args.aeotSamples, "#e4572e", 2.2);
    axes(ctx, c, "AE-OT: the OT map's image of a grid");
    legend(ctx, c, [{ label: "data", colour: "rgba(90,90,90,0.8)" }, { label: "generated", colour: "#e4572e" },
                    { label: "OT map's grid image", colour: "rgba(40,70,160,0.8)", line: true }]);
    $("aeot-caption").textContent = m ? (m.n_torn + " of " + m.n_edges + " grid edges torn: they cross the " +
      m.n_singular + " singular facets, so no strand spans a gap.") : "";
  }

  function status() {
    var t = S.trainer;
    $("status").textContent = t.steps + " steps, " + S.stepRate.toFixed(0) + " steps/s, views " +
      S.fps.toFixed(0) + "/s | D loss " + (isFinite(t.lossD) ? t.lossD.toFixed(3) : "-") + ", G loss " +
      (isFinite(t.lossG) ? t.lossG.toFixed(3) : "-");
    $("run").textContent = S.running ? "Pause" : "Run";
  }

  function report() {
    var t = S.trainer;
    S.lastReport = performance.now();
    setValue({ token: S.token, steps: t.steps, running: S.running, lossD: t.lossD, lossG: t.lossG,
               samples: t.sample(S.args.sampleN, S.sampleSeed).map(toData) });
  }

  function restart() {
    var a = S.args;
    S.trainer = new E.Trainer(a.normalised, { kind: a.kind, seed: a.seed });
    S.stepsT0 = 0; S.stepRate = 0;
  }

  function frame(now) {
    var t = S.trainer;
    if (t && S.running) {
      var t0 = performance.now();
      do { t.step(); } while (performance.now() - t0 < S.args.trainMs);
    }
    if (t) { drawGan(); S.renders += 1; status(); }
    S.frames += 1;
    if (now - S.fpsT0 >= 1000) {
      S.fps = S.frames * 1000 / (now - S.fpsT0);
      if (t) { S.stepRate = (t.steps - S.stepsT0) * 1000 / (now - S.fpsT0); S.stepsT0 = t.steps; }
      S.frames = 0; S.fpsT0 = now;
    }
    if (t && S.running && now - S.lastReport >= 1000 * S.args.reportEvery) report();
    requestAnimationFrame(frame);
  }

  $("run").onclick = function () { S.running = !S.running; report(); };
  $("step").onclick = function () { for (var i = 0; i < 100; i++) S.trainer.step(); report(); };
  $("restart").onclick = function () { restart(); report(); };

  window.addEventListener("message", function (event) {
    if (!event.data || event.data.type !== "streamlit:render") return;
    var a = event.data.args;
    var width = Math.max(300, Math.min(560, Math.floor((window.innerWidth - 48) / 2)));
    ganCanvas.width = otCanvas.width = width; ganCanvas.height = otCanvas.height = width + 40;
    var fresh = a.token !== S.token;
    S.args = a;
    if (fresh) { S.token = a.token; S.running = !!a.autorun; restart(); drawAeot(); report(); }
    else drawAeot();
    setHeight();
  });
  send("streamlit:componentReady", { apiVersion: 1 });
  requestAnimationFrame(frame);
})();
