// tensor.ts: the autodiff core. A Tensor is a row-major Float32Array with a shape, an optional
// gradient and the closure that pushes its gradient to its parents (micrograd's shape, on whole
// tensors). It holds no ops: those live in ops.ts, each defining its backward where it computes
// its forward. It is not a general array library: only what a decoder-only transformer needs.

/** Tensor is a row-major float32 array with an optional gradient and its place in the graph. */
export class Tensor {
  data: Float32Array;
  shape: number[];
  grad: Float32Array | null = null;
  requiresGrad: boolean;
  parents: Tensor[];
  backwardFn: (() => void) | null = null;
  /** alloc makes this tensor's gradient buffer (and the outputs of ops on it): a device's arena or the heap. */
  alloc: (n: number, zero?: boolean) => Float32Array = heapAlloc;

  /** Tensor constructor wraps data (not copied) with a shape; parents are the op's inputs. */
  constructor(data: Float32Array, shape: number[], parents: Tensor[] = [], requiresGrad?: boolean) {
    if (data.length !== numel(shape)) throw new Error(`Tensor: ${data.length} values for shape [${shape.join(",")}]`);
    this.data = data;
    this.shape = shape;
    this.parents = parents;
    this.requiresGrad = requiresGrad ?? parents.some((p) => p.requiresGrad);
  }

  /** size is the number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** g returns the gradient buffer, allocating zeros on first use. */
  g(): Float32Array {
    if (this.grad === null) this.grad = this.alloc(this.data.length);
    return this.grad;
  }

  /** item returns the single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new Error(`item: tensor has ${this.data.length} elements`);
    return this.data[0];
  }
}

/** heapAlloc allocates a zeroed array on the JS heap. */
export function heapAlloc(n: number): Float32Array {
  return new Float32Array(n);
}

/** numel is the product of a shape's dimensions. */
export function numel(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** param makes a leaf tensor that collects gradients (a model weight). */
export function param(data: Float32Array, shape: number[]): Tensor {
  return new Tensor(data, shape, [], true);
}

/** constant makes a leaf tensor that takes no gradient (inputs, masks). */
export function constant(data: Float32Array, shape: number[]): Tensor {
  return new Tensor(data, shape, [], false);
}

/** zeros makes a constant tensor of zeros. */
export function zeros(shape: number[]): Tensor {
  return constant(new Float32Array(numel(shape)), shape);
}

/**
 * backward seeds d(root)/d(root) = 1 (or the given seed gradient) and runs every backward closure in reverse topological
 * order. The sort is iterative because a recursive one overflows the stack on deep graphs.
 */
export function backward(root: Tensor, seed?: Float32Array): void {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: Array<[Tensor, number]> = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    if (i < t.parents.length) {
      top[1] = i + 1;
      const p = t.parents[i];
      if (p.requiresGrad && !seen.has(p)) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  if (seed === undefined) root.g().fill(1);
  else root.g().set(seed);
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i];
    if (t.backwardFn !== null) t.backwardFn();
    // Intermediate gradients are dead once pushed to the parents; dropping them keeps memory flat.
    if (t.parents.length > 0 && t !== root) t.grad = null;
  }
}
