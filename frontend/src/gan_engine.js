/*
 * The Playground's GAN and WGAN-GP, trained in the visitor's browser: plain JavaScript, no dependency, no WebGL.
 *
 * The same rule as aeot_viz.models.live_gan.LiveGAN (aeot_viz.models.baselines.adversarial_step):
 * - generator: noise (noise_dim) -> `layers` Linear+ReLU layers of `hidden` units -> Linear to 2-D;
 * - discriminator (critic): 2-D -> `layers` Linear+LeakyReLU(0.2) layers -> Linear to 1 value;
 * - GAN: the non-saturating losses softplus(-D(real)) + softplus(D(fake)) and softplus(-D(G(z)));
 * - WGAN-GP: n_critic critic updates per generator update, loss D(fake) - D(real) + gp_weight * gp with
 *   gp = mean (|grad_x D(mix)| - 1)^2 on mix = eps real + (1 - eps) fake, then the generator loss -D(G(z));
 * - Adam as torch.optim.Adam (bias-corrected, eps 1e-8), betas (0.5, 0.999) for the GAN and (0.5, 0.9) for WGAN-GP.
 *
 * The penalty's gradient with respect to the critic's weights. With piecewise-linear activations the input gradient
 * is g = delta_0 W_0, delta_l = (delta_{l+1} W_{l+1}) * m_l, delta_{L-2} = W_{L-1} * m_{L-2}, where the masks
 * m_l = act'(z_l) are constant almost everywhere: g is a product of the weights, linear in each, and does not depend
 * on the biases. Back-propagating dgp/dg through that chain is exact (what torch's double backward computes).
 *
 * Parameters are float32 (Float32Array), as in torch, or float64; sums run in double precision.
 * Works as a browser global (window.GanEngine) and as a CommonJS module (node, for the tests).
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.GanEngine = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // ---- random numbers: mulberry32, with Box-Muller normals ---------------------------------------------------------
  function Rng(seed) {
    this.s = (seed >>> 0) || 1;
    this.spare = null;
  }
  Rng.prototype.uniform = function () {
    var t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  Rng.prototype.normal = function () {
    if (this.spare !== null) { var s = this.spare; this.spare = null; return s; }
    var u = 0, v = 0;
    while (u <= 1e-12) u = this.uniform();
    v = this.uniform();
    var r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  Rng.prototype.normals = function (n, F) {
    var out = new (F || Float32Array)(n);
    for (var i = 0; i < n; i++) out[i] = this.normal();
    return out;
  };

  // ---- a multilayer perceptron -------------------------------------------------------------------------------------
  // layers[l] = {W: Float32Array(nout * nin) row-major (torch's Linear.weight), b: Float32Array(nout), nin, nout}
  function makeMlp(nin, nout, hidden, nLayers, slope, rng, F) {
    F = F || Float32Array;
    var layers = [], width = nin;
    for (var l = 0; l <= nLayers; l++) {
      var o = l < nLayers ? hidden : nout, bound = 1 / Math.sqrt(width);
      var W = new F(o * width), b = new F(o);
      for (var i = 0; i < W.length; i++) W[i] = (2 * rng.uniform() - 1) * bound;  // torch's default Linear init
      for (var j = 0; j < o; j++) b[j] = (2 * rng.uniform() - 1) * bound;
      layers.push({ W: W, b: b, nin: width, nout: o });
      width = o;
    }
    return { layers: layers, slope: slope, F: F };
  }

  function mlpFromArrays(list, slope, F) {  // [{W: [[...]], b: [...]}] as exported by Python
    F = F || Float32Array;
    var layers = list.map(function (p) {
      var nout = p.W.length, nin = p.W[0].length, W = new F(nout * nin);
      for (var j = 0; j < nout; j++) for (var i = 0; i < nin; i++) W[j * nin + i] = p.W[j][i];
      return { W: W, b: F.from(p.b), nin: nin, nout: nout };
    });
    return { layers: layers, slope: slope, F: F };
  }

  function zerosLike(net) {
    return net.layers.map(function (L) { return { W: new Float64Array(L.W.length), b: new Float64Array(L.b.length) }; });
  }

  // forward pass of B rows; keeps each layer's input and pre-activation for the backward pass
  function forward(net, X, B) {
    var inputs = [], pre = [], a = X, n = net.layers.length, slope = net.slope;
    for (var l = 0; l < n; l++) {
      var L = net.layers[l], W = L.W, bias = L.b, nin = L.nin, nout = L.nout, z = new net.F(B * nout);
      for (var r = 0; r < B; r++) {
        var ar = r * nin, zr = r * nout;
        for (var j = 0; j < nout; j++) {
          var s = bias[j], wj = j * nin;
          for (var i = 0; i < nin; i++) s += W[wj + i] * a[ar + i];
          z[zr + j] = s;
        }
      }
      inputs.push(a); pre.push(z);
      if (l < n - 1) {
        var out = new net.F(z.length);
        for (var k = 0; k < z.length; k++) out[k] = z[k] > 0 ? z[k] : slope * z[k];
        a = out;
      } else a = z;
    }
    return { out: a, inputs: inputs, pre: pre, B: B };
  }

  // accumulates d(loss)/d(params) into grads, given dOut = d(loss)/d(output) (B x nout); returns d(loss)/d(input)
  function backward(net, cache, dOut, grads, noInputGrad) {
    var n = net.layers.length, B = cache.B, d = dOut, slope = net.slope;
    for (var l = n - 1; l >= 0; l--) {
      var L = net.layers[l], a = cache.inputs[l], G = grads ? grads[l] : null, W = L.W, nin = L.nin, nout = L.nout;
      if (l < n - 1) {  // through the activation of this layer's output
        var z = cache.pre[l], dz = new Float64Array(d.length);
        for (var k = 0; k < d.length; k++) dz[k] = z[k] > 0 ? d[k] : slope * d[k];
        d = dz;
      }
      var wantIn = !(noInputGrad && l === 0), dIn = wantIn ? new Float64Array(B * nin) : null;
      var GW = G ? G.W : null, Gb = G ? G.b : null;
      for (var r = 0; r < B; r++) {
        var ar = r * nin, dr = r * nout;
        for (var j = 0; j < nout; j++) {
          var g = d[dr + j];
          if (g === 0) continue;
          var wj = j * nin, i;
          if (GW) {
            Gb[j] += g;
            for (i = 0; i < nin; i++) GW[wj + i] += g * a[ar + i];
          }
          if (wantIn) for (i = 0; i < nin; i++) dIn[ar + i] += g * W[wj + i];
        }
      }
      d = dIn;
    }
    return d;
  }

  // WGAN-GP: adds gp_weight * gp's gradient to grads (critic with one output); returns gp
  function penaltyGrad(net, cache, weight, grads) {
    var n = net.layers.length, B = cache.B, H, r, i, j;
    var mask = function (l, k) { return cache.pre[l][k] > 0 ? 1 : net.slope; };
    // deltas[l] = d output / d z_l (B x nout_l) for the hidden layers l = 0 .. n-2
    var deltas = new Array(n - 1), last = net.layers[n - 1];
    H = last.nin;
    var dl = new Float64Array(B * H);
    for (r = 0; r < B; r++) for (j = 0; j < H; j++) dl[r * H + j] = last.W[j] * mask(n - 2, r * H + j);
    deltas[n - 2] = dl;
    for (var l = n - 3; l >= 0; l--) {
      var Lp = net.layers[l + 1], nextD = deltas[l + 1], cur = new Float64Array(B * Lp.nin);
      for (r = 0; r < B; r++) {
        for (j = 0; j < Lp.nout; j++) {
          var v = nextD[r * Lp.nout + j];
          if (v === 0) continue;
          for (i = 0; i < Lp.nin; i++) cur[r * Lp.nin + i] += v * Lp.W[j * Lp.nin + i];
        }
        for (i = 0; i < Lp.nin; i++) cur[r * Lp.nin + i] *= mask(l, r * Lp.nin + i);
      }
      deltas[l] = cur;
    }
    var L0 = net.layers[0], nin = L0.nin, gx = new Float64Array(B * nin);
    for (r = 0; r < B; r++) for (j = 0; j < L0.nout; j++) {
      var dv = deltas[0][r * L0.nout + j];
      for (i = 0; i < nin; i++) gx[r * nin + i] += dv * L0.W[j * nin + i];
    }
    var gp = 0, gamma = new Float64Array(B * nin);
    for (r = 0; r < B; r++) {
      var norm = 0;
      for (i = 0; i < nin; i++) norm += gx[r * nin + i] * gx[r * nin + i];
      norm = Math.sqrt(norm);
      gp += (norm - 1) * (norm - 1) / B;
      var c = norm > 0 ? weight * 2 * (norm - 1) / (B * norm) : 0;
      for (i = 0; i < nin; i++) gamma[r * nin + i] = c * gx[r * nin + i];
    }
    // g = delta_0 W_0
    var dDelta = new Float64Array(B * L0.nout);
    for (r = 0; r < B; r++) for (j = 0; j < L0.nout; j++) {
      var dj = deltas[0][r * L0.nout + j], acc = 0;
      for (i = 0; i < nin; i++) {
        grads[0].W[j * nin + i] += dj * gamma[r * nin + i];
        acc += gamma[r * nin + i] * L0.W[j * nin + i];
      }
      dDelta[r * L0.nout + j] = acc;
    }
    // delta_l = (delta_{l+1} W_{l+1}) * m_l
    for (var l2 = 0; l2 <= n - 3; l2++) {
      var Ln = net.layers[l2 + 1], e = new Float64Array(B * Ln.nin), nd = deltas[l2 + 1];
      for (var k = 0; k < e.length; k++) e[k] = dDelta[k] * mask(l2, k);
      var dNext = new Float64Array(B * Ln.nout);
      for (r = 0; r < B; r++) for (j = 0; j < Ln.nout; j++) {
        var dn = nd[r * Ln.nout + j], s = 0;
        for (i = 0; i < Ln.nin; i++) {
          grads[l2 + 1].W[j * Ln.nin + i] += dn * e[r * Ln.nin + i];
          s += e[r * Ln.nin + i] * Ln.W[j * Ln.nin + i];
        }
        dNext[r * Ln.nout + j] = s;
      }
      dDelta = dNext;
    }
    // delta_{n-2} = W_{n-1} * m_{n-2}
    for (r = 0; r < B; r++) for (j = 0; j < H; j++) grads[n - 1].W[j] += dDelta[r * H + j] * mask(n - 2, r * H + j);
    return gp;
  }

  // ---- Adam, as torch.optim.Adam -----------------------------------------------------------------------------------
  function Adam(net, lr, beta1, beta2) {
    this.net = net; this.lr = lr; this.b1 = beta1; this.b2 = beta2; this.eps = 1e-8; this.t = 0;
    this.round = net.F === Float32Array ? Math.fround : function (x) { return x; };
    this.m = zerosLike(net); this.v = zerosLike(net);
  }
  Adam.prototype.step = function (grads) {
    this.t += 1;
    var bc1 = 1 - Math.pow(this.b1, this.t), bc2 = Math.sqrt(1 - Math.pow(this.b2, this.t));
    var stepSize = this.lr / bc1, self = this;
    this.net.layers.forEach(function (L, l) {
      ["W", "b"].forEach(function (key) {
        var p = L[key], g = grads[l][key], m = self.m[l][key], v = self.v[l][key];
        for (var i = 0; i < p.length; i++) {
          var gi = self.round(g[i]);
          m[i] = self.round(self.b1 * m[i] + (1 - self.b1) * gi);
          v[i] = self.round(self.b2 * v[i] + (1 - self.b2) * gi * gi);
          p[i] = p[i] - stepSize * m[i] / (Math.sqrt(v[i]) / bc2 + self.eps);
        }
      });
    });
  };

  // resume from torch's state: {t, m: [{W, b}], v: [{W, b}]} with the weights' shapes as nested lists
  Adam.prototype.load = function (state) {
    var self = this;
    this.t = state.t;
    ["m", "v"].forEach(function (which) {
      state[which].forEach(function (p, l) {
        var flatW = [].concat.apply([], p.W);
        self[which][l].W.set(flatW);
        self[which][l].b.set(p.b);
      });
    });
  };

  function softplus(x) { return x > 20 ? x : Math.log1p(Math.exp(x)); }
  function sigmoid(x) { return 1 / (1 + Math.exp(-x)); }

  // ---- the trainer -------------------------------------------------------------------------------------------------
  var DEFAULTS = { kind: "gan", noiseDim: 2, hidden: 64, layers: 3, batchSize: 128, lr: 1e-3, nCritic: 5,
                   gpWeight: 0.1, seed: 0 };

  /*
   * Trainer(data, options): data = normalised points, an array of [x, y]; options as DEFAULTS, plus optionally
   * `weights` = {G: [...], D: [...]} exported by Python (then the same starting networks as LiveGAN), and
   * `float64` (default false: float32 parameters and activations, as LiveGAN's torch networks).
   * step(batches): one generator update; `batches` (for the tests) gives the real rows, noises and mixing
   * weights instead of this trainer's random draws. Returns {lossD, lossG}.
   */
  function Trainer(data, options) {
    var o = {}, k, F;
    for (k in DEFAULTS) o[k] = DEFAULTS[k];
    for (k in options || {}) o[k] = options[k];
    if (o.kind !== "gan" && o.kind !== "wgan-gp") throw new Error("kind must be 'gan' or 'wgan-gp', got " + o.kind);
    if (!data || data.length < 2) throw new Error("The GAN needs at least 2 points.");
    this.o = o;
    F = o.float64 ? Float64Array : Float32Array;
    this.F = F;
    this.dim = data[0].length;
    this.data = new F(data.length * this.dim);
    for (var i = 0; i < data.length; i++) for (var j = 0; j < this.dim; j++) this.data[i * this.dim + j] = data[i][j];
    this.n = data.length;
    this.bs = Math.min(o.batchSize, this.n);
    this.rng = new Rng(o.seed * 2654435761 + 12345);
    if (o.weights) {
      this.G = mlpFromArrays(o.weights.G, 0, F);
      this.D = mlpFromArrays(o.weights.D, 0.2, F);
    } else {
      this.G = makeMlp(o.noiseDim, this.dim, o.hidden, o.layers, 0, this.rng, F);
      this.D = makeMlp(this.dim, 1, o.hidden, o.layers, 0.2, this.rng, F);
    }
    var betas = o.kind === "gan" ? [0.5, 0.999] : [0.5, 0.9];
    this.optG = new Adam(this.G, o.lr, betas[0], betas[1]);
    this.optD = new Adam(this.D, o.lr, betas[0], betas[1]);
    if (o.adam) { this.optG.load(o.adam.G); this.optD.load(o.adam.D); }
    this.steps = o.steps0 || 0;
    this.lossD = NaN; this.lossG = NaN;
  }

  Trainer.prototype.realBatch = function () {
    var out = new this.F(this.bs * this.dim);
    for (var r = 0; r < this.bs; r++) {
      var i = Math.min(this.n - 1, Math.floor(this.rng.uniform() * this.n));
      for (var j = 0; j < this.dim; j++) out[r * this.dim + j] = this.data[i * this.dim + j];
    }
    return out;
  };

  Trainer.prototype.generate = function (Z, B) { return forward(this.G, Z, B).out; };

  Trainer.prototype.step = function (batches) {
    var o = this.o, B = this.bs, dim = this.dim, self = this, r, lossD = 0, lossG;
    var draw = function (name, n) {
      if (batches) return self.F.from(batches[name].shift());
      if (name === "real") return self.realBatch();
      if (name === "eps") { var e = new self.F(B); for (var i = 0; i < B; i++) e[i] = self.rng.uniform(); return e; }
      return self.rng.normals(n, self.F);
    };
    var nD = o.kind === "wgan-gp" ? o.nCritic : 1;
    for (var c = 0; c < nD; c++) {
      var real = draw("real"), fake = this.generate(draw("noise", B * o.noiseDim), B);
      var grads = zerosLike(this.D);
      var fr = forward(this.D, real, B), ff = forward(this.D, fake, B);
      var dr = new Float64Array(B), df = new Float64Array(B);
      if (o.kind === "gan") {
        lossD = 0;
        for (r = 0; r < B; r++) {
          lossD += (softplus(-fr.out[r]) + softplus(ff.out[r])) / B;
          dr[r] = -sigmoid(-fr.out[r]) / B;
          df[r] = sigmoid(ff.out[r]) / B;
        }
      } else {
        var eps = draw("eps", B), mix = new this.F(B * dim);
        for (r = 0; r < B; r++) for (var j = 0; j < dim; j++)
          mix[r * dim + j] = eps[r] * real[r * dim + j] + (1 - eps[r]) * fake[r * dim + j];
        var fm = forward(this.D, mix, B);
        var gp = penaltyGrad(this.D, fm, o.gpWeight, grads);
        lossD = o.gpWeight * gp;
        for (r = 0; r < B; r++) {
          lossD += (ff.out[r] - fr.out[r]) / B;
          dr[r] = -1 / B;
          df[r] = 1 / B;
        }
      }
      backward(this.D, fr, dr, grads, true);
      backward(this.D, ff, df, grads, true);
      this.optD.step(grads);
    }
    var Z = draw("noise", B * o.noiseDim), fg = forward(this.G, Z, B), fd = forward(this.D, fg.out, B);
    var dOut = new Float64Array(B);
    lossG = 0;
    for (r = 0; r < B; r++) {
      if (o.kind === "gan") { lossG += softplus(-fd.out[r]) / B; dOut[r] = -sigmoid(-fd.out[r]) / B; }
      else { lossG += -fd.out[r] / B; dOut[r] = -1 / B; }
    }
    var dFake = backward(this.D, fd, dOut, null);
    var gG = zerosLike(this.G);
    backward(this.G, fg, dFake, gG, true);
    this.optG.step(gG);
    this.steps += 1;
    this.lossD = lossD; this.lossG = lossG;
    return { lossD: lossD, lossG: lossG };
  };

  // n samples from fixed noise (seeded), in normalised coordinates: [[x, y], ...]
  Trainer.prototype.sample = function (n, seed) {
    var rng = new Rng(seed || 7), Z = rng.normals(n * this.o.noiseDim, this.F), out = this.generate(Z, n), pts = [];
    for (var r = 0; r < n; r++) pts.push([out[r * this.dim], out[r * this.dim + 1]]);
    return pts;
  };

  // the discriminator's output on a res x res grid over [x0, x1] x [y0, y1], row-major from y0 (a heat map)
  Trainer.prototype.discriminatorGrid = function (res, x0, x1, y0, y1) {
    var X = new this.F(res * res * 2), k = 0;
    for (var a = 0; a < res; a++) for (var b = 0; b < res; b++) {
      X[k++] = x0 + (x1 - x0) * (b + 0.5) / res;
      X[k++] = y0 + (y1 - y0) * (a + 0.5) / res;
    }
    var out = forward(this.D, X, res * res).out, vals = new Float32Array(res * res);
    for (var i = 0; i < vals.length; i++) vals[i] = this.o.kind === "gan" ? sigmoid(out[i]) : out[i];
    return vals;
  };

  // the generator's image of a res x res grid over the noise square [-lim, lim]^2 (2-D noise): node (a, b) at
  // index a * res + b, as [x, y] pairs; the mesh edges join (a, b) to (a, b + 1) and (a + 1, b)
  Trainer.prototype.noiseGridImage = function (res, lim) {
    if (this.o.noiseDim !== 2) throw new Error("The noise grid needs 2-D noise.");
    var Z = new this.F(res * res * 2), k = 0;
    for (var a = 0; a < res; a++) for (var b = 0; b < res; b++) {
      Z[k++] = -lim + 2 * lim * b / (res - 1);
      Z[k++] = -lim + 2 * lim * a / (res - 1);
    }
    return this.generate(Z, res * res);
  };

  return { Rng: Rng, Trainer: Trainer, forward: forward, backward: backward, penaltyGrad: penaltyGrad, Adam: Adam,
           mlpFromArrays: mlpFromArrays, DEFAULTS: DEFAULTS };
});
