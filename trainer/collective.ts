// collective.ts: the data-parallel seam. A Collective sums float arrays across all ranks in
// place (all-reduce); the single-process one does nothing. The TCP implementation is in ddp.ts.

/** Collective is the communication the training loops need across data-parallel ranks. */
export interface Collective {
  readonly rank: number;
  readonly worldSize: number;
  /** allReduceSum replaces every array, on every rank, with the elementwise sum over ranks. */
  allReduceSum(arrays: Float32Array[]): Promise<void>;
  close(): Promise<void>;
}

/** singleProcess is the Collective of a run with one rank. */
export const singleProcess: Collective = {
  rank: 0,
  worldSize: 1,
  async allReduceSum() {},
  async close() {},
};

/** shardRange returns the [start, end) of n items that a rank owns, in contiguous near-equal shares. */
export function shardRange(n: number, rank: number, worldSize: number): [number, number] {
  return [Math.floor((n * rank) / worldSize), Math.floor((n * (rank + 1)) / worldSize)];
}
