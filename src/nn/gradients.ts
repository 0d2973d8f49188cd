/**
 * The gradients of every TensorFlow.js kernel spinflow's models use, registered once, here.
 *
 * Why our own: the Node bundle of @tensorflow/tfjs-core registers no gradients at all, and tfjs's
 * own gradient functions for tanh, sigmoid, exp, elu… are computed from the saved *output*, which
 * makes second derivatives throw or come out wrong silently (d²/dx² log(1 + eˣ) gave −0.330 instead
 * of 0.2445). Each gradient here is written with differentiable ops of the saved *inputs* only, so
 * that gradients of gradients (Hessian-vector products, force terms inside a loss) are exact; the
 * tests check first and second derivatives of every entry against finite differences.
 *
 * Kernels whose gradient is zero almost everywhere (sign, floor, comparisons) get a zero gradient;
 * a kernel missing from this list has no gradient and tf.grad says so.
 */
import * as tf from '@tensorflow/tfjs-core';

type T = tf.Tensor;
type Attrs = Record<string, unknown>;
type Grads = Record<string, () => T> | (() => T)[];

/** Sums a broadcast gradient back to the shape of the input it belongs to. */
function unbroadcast(g: T, shape: number[]): T {
  const axes = tf.backend_util.getReductionAxes(shape, g.shape);
  // a bias gradient (rows summed) as a product with a row of ones: tfjs-wasm's Sum over the
  // leading axis of [R, C] is several times slower than the matrix product
  if (g.rank === 2 && axes.length === 1 && axes[0] === 0) return tf.reshape(tf.matMul(tf.ones([1, g.shape[0]]), g as tf.Tensor2D), shape);
  const reduced = axes.length > 0 ? tf.sum(g, axes) : g;
  return tf.reshape(reduced, shape);
}

function axesOf(axis: unknown, rank: number): number[] {
  const list = axis === undefined || axis === null ? [...Array(rank).keys()] : Array.isArray(axis) ? (axis as number[]) : [axis as number];
  return list.map((a) => (a < 0 ? a + rank : a));
}

/** dy of a reduction, reshaped so it broadcasts against the input (kept reduced axes as 1). */
function expandReduced(dy: T, x: T, axis: unknown): T {
  const shape = x.shape.slice();
  for (const a of axesOf(axis, x.rank)) shape[a] = 1;
  return tf.reshape(dy, shape);
}

/** A zero gradient; tfjs wants every gradient in float32, also for bool and int inputs. */
const zero = (x: T) => () => tf.zeros(x.shape, 'float32');

function register(kernelName: string, inputs: string[] | 'all', gradFunc: (dy: T, saved: T[], attrs: Attrs) => Grads): void {
  tf.registerGradient({
    kernelName,
    ...(inputs === 'all' ? { saveAllInputs: true } : { inputsToSave: inputs }),
    gradFunc: gradFunc as unknown as tf.GradConfig['gradFunc'],
  });
}

let registered = false;

export function registerGradients(): void {
  if (registered) return;
  registered = true;

  // arithmetic (broadcasting)
  register('Add', ['a', 'b'], (dy, [a, b]) => ({ a: () => unbroadcast(dy, a.shape), b: () => unbroadcast(dy, b.shape) }));
  register('AddN', 'all', (dy, saved) => saved.map(() => () => tf.clone(dy)));
  register('Sub', ['a', 'b'], (dy, [a, b]) => ({ a: () => unbroadcast(dy, a.shape), b: () => unbroadcast(tf.neg(dy), b.shape) }));
  register('Multiply', ['a', 'b'], (dy, [a, b]) => ({ a: () => unbroadcast(tf.mul(dy, b), a.shape), b: () => unbroadcast(tf.mul(dy, a), b.shape) }));
  register('RealDiv', ['a', 'b'], (dy, [a, b]) => ({
    a: () => unbroadcast(tf.div(dy, b), a.shape),
    b: () => unbroadcast(tf.neg(tf.div(tf.mul(dy, a), tf.square(b))), b.shape),
  }));
  register('SquaredDifference', ['a', 'b'], (dy, [a, b]) => {
    const twice = () => tf.mul(tf.mul(dy, 2), tf.sub(a, b));
    return { a: () => unbroadcast(twice(), a.shape), b: () => unbroadcast(tf.neg(twice()), b.shape) };
  });
  register('Maximum', ['a', 'b'], (dy, [a, b]) => {
    const mask = () => tf.cast(tf.greaterEqual(a, b), 'float32');
    return { a: () => unbroadcast(tf.mul(dy, mask()), a.shape), b: () => unbroadcast(tf.mul(dy, tf.sub(1, mask())), b.shape) };
  });
  register('Minimum', ['a', 'b'], (dy, [a, b]) => {
    const mask = () => tf.cast(tf.lessEqual(a, b), 'float32');
    return { a: () => unbroadcast(tf.mul(dy, mask()), a.shape), b: () => unbroadcast(tf.mul(dy, tf.sub(1, mask())), b.shape) };
  });
  register('Pow', ['a', 'b'], (dy, [a, b]) => ({
    a: () => unbroadcast(tf.mul(dy, tf.mul(b, tf.pow(a, tf.sub(b, 1)))), a.shape),
    // d/db aᵇ = aᵇ log a, defined for a > 0 (0 where a ≤ 0, as in TensorFlow)
    b: () => unbroadcast(tf.mul(dy, tf.mul(tf.pow(a, b), tf.where(tf.greater(a, 0), tf.log(tf.maximum(a, 1e-30)), tf.zerosLike(a)))), b.shape),
  }));

  // elementwise, written from the input x
  register('Neg', ['x'], (dy) => ({ x: () => tf.neg(dy) }));
  register('Square', ['x'], (dy, [x]) => ({ x: () => tf.mul(dy, tf.mul(x, 2)) }));
  register('Sqrt', ['x'], (dy, [x]) => ({ x: () => tf.div(dy, tf.mul(tf.sqrt(x), 2)) }));
  register('Rsqrt', ['x'], (dy, [x]) => ({ x: () => tf.mul(dy, tf.mul(tf.pow(x, -1.5), -0.5)) }));
  register('Reciprocal', ['x'], (dy, [x]) => ({ x: () => tf.neg(tf.div(dy, tf.square(x))) }));
  register('Exp', ['x'], (dy, [x]) => ({ x: () => tf.mul(dy, tf.exp(x)) }));
  register('Log', ['x'], (dy, [x]) => ({ x: () => tf.div(dy, x) }));
  register('Log1p', ['x'], (dy, [x]) => ({ x: () => tf.div(dy, tf.add(x, 1)) }));
  register('Abs', ['x'], (dy, [x]) => ({ x: () => tf.mul(dy, tf.sign(x)) }));
  register('Sin', ['x'], (dy, [x]) => ({ x: () => tf.mul(dy, tf.cos(x)) }));
  register('Cos', ['x'], (dy, [x]) => ({ x: () => tf.neg(tf.mul(dy, tf.sin(x))) }));
  register('Tanh', ['x'], (dy, [x]) => ({ x: () => tf.mul(dy, tf.sub(1, tf.square(tf.tanh(x)))) }));
  register('Sigmoid', ['x'], (dy, [x]) => ({ x: () => { const s = tf.sigmoid(x); return tf.mul(dy, tf.mul(s, tf.sub(1, s))); } }));
  register('Softplus', ['x'], (dy, [x]) => ({ x: () => tf.mul(dy, tf.sigmoid(x)) }));
  register('Relu', ['x'], (dy, [x]) => ({ x: () => tf.mul(dy, tf.step(x)) }));
  // elu′(x) = 1 for x > 0, eˣ = elu(x) + 1 below: elu(min(x, 0)) + 1 with min(x, 0) = x − relu(x),
  // all same-shape kernels. The where(greater, 1, exp(minimum(x, 0))) form made a NeuralRG step
  // (L = 16, batch 256, wasm) take 12.4 s, of which 1.6 s in Minimum against the broadcast 0.
  register('Elu', ['x'], (dy, [x]) => ({ x: () => tf.mul(dy, tf.add(tf.elu(tf.sub(x, tf.relu(x))), 1)) }));
  register('LeakyRelu', ['x'], (dy, [x], attrs) => ({ x: () => tf.mul(dy, tf.where(tf.greater(x, 0), tf.onesLike(x), tf.fill(x.shape, attrs.alpha as number))) }));
  register('ClipByValue', ['x'], (dy, [x], attrs) => ({
    x: () => tf.mul(dy, tf.cast(tf.logicalAnd(tf.greaterEqual(x, attrs.clipValueMin as number), tf.lessEqual(x, attrs.clipValueMax as number)), 'float32')),
  }));
  for (const k of ['Sign', 'Step', 'Floor', 'Ceil', 'Round', 'OnesLike', 'ZerosLike']) register(k, ['x'], (_dy, [x]) => ({ x: zero(x) }));
  register('Identity', ['x'], (dy) => ({ x: () => tf.clone(dy) }));
  register('Cast', ['x'], (dy) => ({ x: () => tf.clone(dy) }));
  for (const k of ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr']) {
    register(k, ['a', 'b'], (_dy, [a, b]) => ({ a: zero(a), b: zero(b) }));
  }
  register('LogicalNot', ['x'], (_dy, [x]) => ({ x: zero(x) }));
  register('Select', ['condition', 't', 'e'], (dy, [c]) => ({
    condition: zero(c),
    t: () => tf.mul(dy, tf.cast(c, 'float32')),
    e: () => tf.mul(dy, tf.sub(1, tf.cast(c, 'float32'))),
  }));

  // reductions
  register('Sum', ['x'], (dy, [x], attrs) => ({ x: () => tf.mul(expandReduced(dy, x, attrs.axis), tf.onesLike(x)) }));
  register('Mean', ['x'], (dy, [x], attrs) => {
    const count = axesOf(attrs.axis, x.rank).reduce((n, a) => n * x.shape[a], 1);
    return { x: () => tf.div(tf.mul(expandReduced(dy, x, attrs.axis), tf.onesLike(x)), count) };
  });
  const extremum = (op: 'max' | 'min') => (dy: T, [x]: T[], attrs: Attrs) => ({
    x: () => {
      const axis = attrs.reductionIndices ?? attrs.axis;
      const y = expandReduced(tf[op](x, axis as number[]), x, axis);
      return tf.mul(expandReduced(dy, x, axis), tf.cast(tf.equal(x, y), 'float32'));
    },
  });
  register('Max', ['x'], extremum('max'));
  register('Min', ['x'], extremum('min'));

  // shape
  register('Reshape', ['x'], (dy, [x]) => ({ x: () => tf.reshape(dy, x.shape) }));
  register('Transpose', ['x'], (dy, _s, attrs) => {
    const perm = attrs.perm as number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return { x: () => tf.transpose(dy, inverse) };
  });
  register('Concat', 'all', (dy, saved, attrs) => {
    const rank = saved[0].rank;
    const axis = axesOf(attrs.axis, rank)[0];
    return tf.split(dy, saved.map((t) => t.shape[axis]), axis).map((g) => () => g);
  });
  register('SplitV', ['x'], (dy, _saved, attrs) => ({ x: () => tf.concat(dy as unknown as T[], attrs.axis as number) }));
  register('Unpack', ['value'], (dy, _saved, attrs) => ({ value: () => tf.stack(dy as unknown as T[], attrs.axis as number) }));
  register('Pack', 'all', (dy, _saved, attrs) => tf.unstack(dy, attrs.axis as number).map((g) => () => g));
  register('Slice', ['x'], (dy, [x], attrs) => {
    const rank = x.rank;
    const begin = typeof attrs.begin === 'number' ? [attrs.begin, ...Array(rank - 1).fill(0)] : (attrs.begin as number[]);
    const sizeIn = typeof attrs.size === 'number' ? [attrs.size, ...Array(rank - 1).fill(-1)] : (attrs.size as number[]) ?? Array(rank).fill(-1);
    const paddings = x.shape.map((n, i) => {
      const b = begin[i] ?? 0;
      const s = sizeIn[i] === undefined || sizeIn[i] === -1 ? n - b : sizeIn[i];
      return [b, n - b - s] as [number, number];
    });
    return { x: () => tf.pad(dy, paddings) };
  });
  register('PadV2', ['x'], (dy, [x], attrs) => {
    const paddings = attrs.paddings as [number, number][];
    return { x: () => tf.slice(dy, paddings.map((p) => p[0]), x.shape) };
  });
  register('Tile', ['x'], (dy, [x], attrs) => {
    const reps = attrs.reps as number[];
    // dy has shape [r₀·n₀, r₁·n₁, …]: fold each repeated axis into (rᵢ, nᵢ) and sum over rᵢ
    const folded = tf.reshape(dy, reps.flatMap((r, i) => [r, x.shape[i]]));
    return { x: () => tf.sum(folded, reps.map((_, i) => 2 * i)) };
  });
  register('GatherV2', ['x', 'indices'], (dy, [x, indices], attrs) => {
    if ((attrs.batchDims as number) > 0) throw new Error('gather with batchDims has no gradient in spinflow');
    const axis = axesOf(attrs.axis, x.rank)[0];
    return {
      x: () => {
        // scatter-add dy back to the gathered rows: move `axis` first, flatten the indices
        const n = indices.size;
        const perm = [axis, ...[...Array(x.rank).keys()].filter((a) => a !== axis)];
        const xT = x.shape.filter((_, a) => a !== axis);
        const before = x.shape.slice(0, axis);
        const values = tf.reshape(dy, [...before, n, ...x.shape.slice(axis + 1)]);
        const moved = tf.transpose(values, [before.length, ...[...Array(x.rank).keys()].filter((a) => a !== before.length)]);
        const rows = tf.scatterND(tf.reshape(tf.cast(indices, 'int32'), [n, 1]), moved, [x.shape[axis], ...xT]);
        const inverse = perm.map((_, i) => perm.indexOf(i));
        return tf.transpose(rows, inverse);
      },
      indices: zero(indices),
    };
  });
  register('ScatterNd', ['indices', 'updates'], (dy, [indices]) => ({ indices: zero(indices), updates: () => tf.gatherND(dy, indices) }));
  register('GatherNd', ['params', 'indices'], (dy, [params, indices]) => ({ params: () => tf.scatterND(indices, dy, params.shape), indices: zero(indices) }));

  // linear algebra
  register('BatchMatMul', ['a', 'b'], (dy, [a, b], attrs) => {
    const tA = attrs.transposeA as boolean, tB = attrs.transposeB as boolean;
    const ga = () => (tA ? tf.matMul(b, dy, tB, true) : tf.matMul(dy, b, false, !tB));
    const gb = () => (tB ? tf.matMul(dy, a, true, tA) : tf.matMul(a, dy, !tA, false));
    // batch broadcasting: reduce leading axes the input did not have
    return { a: () => unbroadcast(ga(), a.shape), b: () => unbroadcast(gb(), b.shape) };
  });
}
