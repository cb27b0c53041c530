// collective.ts: the data-parallel seam. A Collective sums float arrays across all ranks in
// place (all-reduce) and hands rank 0's decisions to every rank (broadcast); the single-process
// one does nothing. The TCP implementation is in ddp.ts.

/** Collective is the communication the training loops need across data-parallel ranks. */
export interface Collective {
  readonly rank: number;
  readonly worldSize: number;
  /** allReduceSum replaces every array, on every rank, with the elementwise sum over ranks. */
  allReduceSum(arrays: Float32Array[]): Promise<void>;
  /** broadcast replaces data, on every rank, with rank 0's values, bit for bit (decisions, not gradients). */
  broadcast(data: Float64Array): Promise<void>;
  close(): Promise<void>;
}

/** singleProcess is the Collective of a run with one rank. */
export const singleProcess: Collective = {
  rank: 0,
  worldSize: 1,
  async allReduceSum() {},
  async broadcast() {},
  async close() {},
};

/** shardRange returns the [start, end) of n items that a rank owns, in contiguous near-equal shares. */
export function shardRange(n: number, rank: number, worldSize: number): [number, number] {
  return [Math.floor((n * rank) / worldSize), Math.floor((n * (rank + 1)) / worldSize)];
}
